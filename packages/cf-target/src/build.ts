import {
  DEFAULT_CF_RUNTIME,
  emitDirect, emitHandler, eventTypesOf, planPipeline,
  type Artifact, type BuildResult, type Capability, type CfRuntime, type EmittedHook, type EventType,
  type Pipeline, type Placement, type SupportedBy, type Violation,
} from '@edgeline/core';
import { checkArtifact } from './check-artifact.js';
import { featureDefines } from './features.js';
import { MAX_BYTES } from './rules.js';
import { scanHooks } from './scan-hooks.js';
import { shortenGeneratedNames } from './short-names.js';
import { toEs2 } from './syntax-2.js';
import { lightEs5 } from './es5-light.js';
import { bundleGlue, format, isEs5, lowerToEs5, minifiedBytes, minify, RUNTIME_MODULE } from './steps.js';

export interface CfBuildOptions<R extends CfRuntime> {
  pipeline: Pipeline<SupportedBy<R>>;
  /** Default `cloudfront-js-1.0`. */
  runtime?: R;
  /** Default true; false keeps the artifact readable. */
  minify?: boolean;
  /**
   * Default true: an event type whose every hook has hand-written CloudFront code
   * (`direct.cff` of its middleware) uses it. False always emits the context-based handler.
   */
  direct?: boolean;
  /**
   * Default false. True returns an artifact over the 10 KB limit (its `bytes` over `limitBytes`)
   * instead of a size violation: `edge build --no-minify` writes the readable form of a function
   * that fits only minified, with a warning.
   */
  oversize?: boolean;
}

/** One event type's code on its way to an artifact. */
interface Draft {
  eventType: EventType;
  hooks: EmittedHook[];
  code: string;
}

/**
 * Lowers a pipeline to one CloudFront Function per event type it uses, or says why it cannot.
 * Steps: place hooks -> scan hooks -> emit glue -> bundle -> lower to ES5 -> minify -> check.
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-functions.html
 */
export async function buildCf<R extends CfRuntime = typeof DEFAULT_CF_RUNTIME>(options: CfBuildOptions<R>): Promise<BuildResult> {
  const runtime: CfRuntime = options.runtime ?? DEFAULT_CF_RUNTIME;
  const pipeline = options.pipeline as Pipeline<Capability>;
  const plan = planPipeline(pipeline, runtime);
  if (!plan.ok) return { ok: false, target: 'cf', violations: plan.violations };

  const drafts: Draft[] = [];
  const violations: Violation[] = [];
  for (const eventType of eventTypesOf(plan.placements)) {
    const draft = await draftFor(plan.placements, eventType, runtime, options.minify !== false, options.direct !== false);
    violations.push(...scanHooks(draft.hooks, pipeline.middleware, runtime));
    drafts.push(draft);
  }
  if (violations.length) return { ok: false, target: 'cf', violations: dedupe(violations) };

  const artifacts: Artifact[] = [];
  for (const draft of drafts) {
    const problems = checkArtifact(draft.code, runtime).filter((p) => !(options.oversize && p.check === 'size'));
    const bytes = Buffer.byteLength(draft.code);
    if (problems.length) {
      const breakdown = bytes > MAX_BYTES ? await sizeBreakdown(draft) : '';
      violations.push(...problems.map((p) => ({
        middleware: draft.hooks.map((h) => h.middleware).join(', ') || '(runtime)',
        capability: null,
        construct: p.check,
        target: runtime,
        why: `the ${draft.eventType} artifact ${p.message}${p.check === 'size' ? breakdown : ''}`,
        fix: p.check === 'size' ? 'move middleware to --target lambda, or split the pipeline' : 'report this as an Edgeline bug: generated code must pass this check',
      })));
      continue;
    }
    artifacts.push({
      eventType: draft.eventType,
      runtime,
      file: `${draft.eventType}.js`,
      code: draft.code,
      bytes,
      limitBytes: MAX_BYTES,
      middleware: unique(draft.hooks.map((h) => h.middleware)),
      capabilities: capabilitiesOf(plan.placements, draft),
    });
  }
  if (violations.length) return { ok: false, target: 'cf', violations };
  return { ok: true, target: 'cf', artifacts };
}

async function draftFor(placements: Placement[], eventType: EventType, runtime: CfRuntime, doMinify: boolean, direct: boolean): Promise<Draft> {
  const here = placements.filter((p) => p.request === eventType || p.response === eventType);
  const needs = (c: Capability) => here.some((p) => (p.middleware.needs as readonly string[]).indexOf(c) >= 0);
  const isAsync = runtime === 'cloudfront-js-2.0' && (needs('async') || needs('kvs'));
  const emitted =
    (direct ? emitDirect({ placements, eventType, shape: 'cff', runtime }) : undefined) ??
    emitHandler({ placements, eventType, shape: 'cff', runtime: RUNTIME_MODULE, async: isAsync });
  const configs = here.map((p) => JSON.stringify(p.middleware.config));
  // Direct hooks may require('crypto') in the handler itself, which a bundler would try to resolve.
  const bundled = emitted.selfContained
    ? emitted.glue.replace(/^export /, '')
    : await bundleGlue(emitted.glue, {
      ...featureDefines(emitted.hooks, configs),
      // Only runtime 2.0's request has rawQueryString(): the adapters' use of it is left out on 1.0.
      __EDGE_RAW_QUERY__: runtime === 'cloudfront-js-2.0' ? 'true' : 'false',
    });
  const source = `${bundled}\n${emitted.declarations}`;
  // Runtime 2.0 runs const, let, arrows, templates and async natively: code that keeps to its
  // syntax is not lowered (TypeScript's ES5 async is a ~4 KB state machine); other code is.
  const es2 = runtime === 'cloudfront-js-2.0' ? toEs2(source) : undefined;
  // 1.0: ES5 without TypeScript where the only newer syntax is what esbuild lowers (es5-light.ts).
  const light = es2 === undefined && !isEs5(source) ? await lightEs5(source) : undefined;
  let code = es2 ?? light ?? lowerToEs5(source);
  if (doMinify) code = shortenGeneratedNames(await minify(code, runtime));
  // Code that was ES5 already skipped TypeScript's printer: --no-minify output is still laid out.
  else if (es2 !== undefined || light !== undefined || code === source) code = await format(code, runtime);
  // The cloudfront module is an ES import on runtime 2.0; added after lowering, which targets scripts.
  if (runtime === 'cloudfront-js-2.0' && (needs('kvs') || needs('origin'))) code = `import cf from 'cloudfront';\n${code}`;
  return { eventType, hooks: emitted.hooks, code };
}

/** Bytes per middleware hook and the shared runtime, for the over-the-limit message. */
async function sizeBreakdown(draft: Draft): Promise<string> {
  const parts: string[] = [];
  let hooksBytes = 0;
  for (const h of draft.hooks) {
    const bytes = await minifiedBytes(`var x = ${h.source};`);
    hooksBytes += bytes;
    parts.push(`${h.middleware} (${h.hook}): ${bytes} B`);
  }
  parts.push(`runtime and glue: ${Buffer.byteLength(draft.code) - hooksBytes} B`);
  return `\n    ${parts.join('\n    ')}`;
}

function capabilitiesOf(placements: Placement[], draft: Draft): Capability[] {
  const names = new Set(draft.hooks.map((h) => h.index));
  const caps = new Set<Capability>([draft.eventType]);
  for (const p of placements) if (names.has(p.index)) for (const c of p.middleware.needs) caps.add(c);
  return [...caps];
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

function dedupe(vs: Violation[]): Violation[] {
  const seen = new Set<string>();
  return vs.filter((v) => {
    const k = `${v.middleware}|${v.capability}|${v.construct}`;
    return seen.has(k) ? false : (seen.add(k), true);
  });
}
