import { transform } from 'esbuild';
import {
  configLiteral, emitDirect, emitHandler, planPipeline,
  type Artifact, type Capability, type CfRuntime, type Pipeline, type SizeShare,
} from '@edgeline/core';

/**
 * Bytes each middleware adds to an artifact, and the rest (adapters and glue), for the size
 * table `edge build` prints. A middleware's share is its hooks for that event type as the
 * artifact carries them (the same lowering the target chose, minified when the build is), plus
 * its options where they are kept as a table; the rest of `bytes` is the runtime and glue (and,
 * on Lambda@Edge, the packages hooks require).
 * An estimate to within a few bytes per hook: the artifact is minified as a whole.
 */
export async function middlewareBytes(
  pipeline: Pipeline<Capability>, artifact: Artifact, target: { name: CfRuntime | 'lambda'; minify: boolean },
): Promise<SizeShare[]> {
  const shape = target.name === 'lambda' ? 'lambda' : 'cff';
  const plan = planPipeline(pipeline, target.name);
  if (!plan.ok) return [];
  const runtime = target.name === 'lambda' ? undefined : target.name;
  const direct = emitDirect({ placements: plan.placements, eventType: artifact.eventType, shape, runtime });
  const emitted = direct ?? emitHandler({ placements: plan.placements, eventType: artifact.eventType, shape, runtime: '@edgeline/core/runtime', async: false });
  const bytes = new Map<string, number>();
  for (const h of emitted.hooks) bytes.set(h.middleware, (bytes.get(h.middleware) ?? 0) + (await codeBytes(`var x = ${h.source};`, target.minify, shape === 'cff')));
  if (!direct) {
    // The context-based handler keeps each middleware's options as a table; direct code inlines them.
    for (const index of new Set(emitted.hooks.map((h) => h.index))) {
      const mw = pipeline.middleware[index];
      if (mw.config !== null && mw.config !== undefined) bytes.set(mw.name, (bytes.get(mw.name) ?? 0) + Buffer.byteLength(configLiteral(mw.name, mw.config)));
    }
  }
  const shares = [...bytes].map(([part, n]) => ({ part, bytes: n }));
  const named = shares.reduce((n, s) => n + s.bytes, 0);
  // A Lambda@Edge bundle also holds the packages its hooks require.
  shares.push({ part: target.name === 'lambda' ? 'runtime, glue and packages' : 'runtime and glue', bytes: Math.max(0, artifact.bytes - named) });
  return shares;
}

async function codeBytes(code: string, minify: boolean, es5: boolean): Promise<number> {
  if (!minify) return Buffer.byteLength(code);
  try {
    const min = (await transform(code, { minify: true, charset: 'utf8' })).code;
    // A CloudFront Function is ES5: its const and let are var (esbuild cannot lower them itself).
    return Buffer.byteLength(es5 ? min.replace(/\b(?:const|let)\b/g, 'var') : min);
  } catch {
    return Buffer.byteLength(code);
  }
}
