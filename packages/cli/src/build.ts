import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { DEFAULT_CF_RUNTIME, manifestOf, type BuildResult, type CfRuntime, type Pipeline, type SizeShare } from '@edgeline/core';
import { buildCf } from '@edgeline/cf-target';
import { buildLambda, type NodeRuntime } from '@edgeline/lambda-target';
import { cloudFormationTemplate, deployFields, kvsKeysOf } from './cloudformation.js';
import { EntryError } from './errors.js';
import { readEntry } from './load-entry.js';
import { middlewareBytes } from './sizes.js';

export type Target = 'cf' | 'lambda';
export type { NodeRuntime };

export interface BuildOptions {
  /** Module that exports an `edge()` pipeline (`export default`, or `module.exports` in CommonJS). */
  entry: string;
  target: Target;
  /** cf only; default DEFAULT_CF_RUNTIME (cloudfront-js-2.0). */
  runtime?: CfRuntime;
  /** lambda only; default nodejs22.x. */
  node?: NodeRuntime;
  /** Default dist/edge/<target>. */
  out?: string;
  /** Default true. False keeps the artifact readable, and writes it even over the limit it fits minified (with a warning). */
  minify?: boolean;
  /** Run the TypeScript checker on the entry first (loads typescript from the entry's project). */
  typecheck?: boolean;
  /** Also write `<out>/template.json`, a CloudFormation template of the functions (cloudformation.ts). */
  emit?: 'cloudformation';
}

export interface BuildOutcome {
  result: BuildResult;
  out: string;
  /** Files written (none on rejection). */
  written: string[];
  /** `middleware: text` for each warning a middleware of the pipeline gives, and the build's own. */
  warnings: string[];
  /** Per artifact file: the bytes each middleware adds, then the runtime and glue. */
  sizes: Record<string, SizeShare[]>;
  /** The entry and the local files it imports: what `edge build --watch` watches. */
  inputs: string[];
  /** manifest.json as written: each artifact with what a deploy tool needs (deployFields). Absent on rejection. */
  manifest?: object;
}

const COMMONJS_PACKAGE = JSON.stringify({ type: 'commonjs' }, null, 2) + '\n';

const EVENT_TYPES = ['viewer-request', 'origin-request', 'origin-response', 'viewer-response'];

/**
 * What `edge build` does: (type-check,) load the entry, build for the target, and on success
 * write the artifacts and manifest.json (removing artifacts of event types the pipeline no longer
 * uses). On rejection, or an entry with nothing to build, nothing is written or removed.
 * @example
 * const { result, written } = await build({ entry: 'edge.ts', target: 'cf' });
 */
export async function build(options: BuildOptions): Promise<BuildOutcome> {
  if (options.typecheck) await (await import('./typecheck.js')).typecheck(options.entry);
  const { pipeline, inputs } = await readEntry(options.entry);
  const out = options.out ?? `dist/edge/${options.target}`;
  if (!pipeline.middleware.length) {
    throw new EntryError(`${options.entry} exports an empty pipeline: add middleware with .use(...) (nothing was built, and ${out} is left as it was)`);
  }
  const warnings = pipeline.middleware.flatMap((mw) => (mw.warnings ?? []).map((w) => `${mw.name}: ${w}`));
  const minify = options.minify !== false;
  let result = await buildFor(pipeline, options);
  if (!result.ok) return { result, out, written: [], warnings, sizes: {}, inputs };
  if (!result.artifacts.length) {
    throw new EntryError(`${options.entry}: no middleware of the pipeline has a request or response hook, so there is nothing to build (${out} is left as it was)`);
  }
  if (!minify) {
    const checked = await oversize(pipeline, options, result);
    if (!checked.result.ok) return { result: checked.result, out, written: [], warnings, sizes: {}, inputs };
    warnings.push(...checked.warnings);
    result = checked.result;
  }
  await removeStale(out, options.target);
  const written: string[] = [];
  const sizes: Record<string, SizeShare[]> = {};
  const name = options.target === 'cf' ? options.runtime ?? DEFAULT_CF_RUNTIME : 'lambda';
  for (const a of result.artifacts) {
    sizes[a.file] = await middlewareBytes(pipeline, a, { name, minify });
    const file = join(out, a.file);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, a.code);
    written.push(file);
    if (options.target === 'lambda') {
      // The handler is CommonJS: say so beside it, so a plain require() loads it even inside a
      // "type": "module" project. Lambda needs no package.json (index.js is CommonJS there), so the zip has none.
      const pkg = join(dirname(file), 'package.json');
      await writeFile(pkg, COMMONJS_PACKAGE);
      written.push(pkg);
    }
    if (a.zipFile && a.zip) {
      await writeFile(join(out, a.zipFile), a.zip);
      written.push(join(out, a.zipFile));
    }
  }
  const kvsKeys = kvsKeysOf(pipeline);
  const data = deployManifest(result, options.entry, kvsKeys);
  const manifest = join(out, 'manifest.json');
  await writeFile(manifest, JSON.stringify(data, null, 2) + '\n');
  written.push(manifest);
  if (options.emit === 'cloudformation') {
    const template = join(out, 'template.json');
    await writeFile(template, JSON.stringify(cloudFormationTemplate(result, { entry: options.entry, kvsKeys }), null, 2) + '\n');
    written.push(template);
  }
  return { result, out, written, warnings, sizes, inputs, manifest: data };
}

/** manifest.json: the build's manifest, each artifact with its deploy fields (handler, timeout, memory, deadline, KVS keys, a function name). */
export function deployManifest(result: Extract<BuildResult, { ok: true }>, entry: string, kvsKeys: string[]): object {
  const m = manifestOf(result, entry) as { artifacts: object[] };
  return { ...m, artifacts: m.artifacts.map((x, i) => ({ ...x, ...deployFields(result.artifacts[i], { entry, kvsKeys }) })) };
}

function buildFor(pipeline: Pipeline<any>, options: BuildOptions, minify = options.minify): Promise<BuildResult> {
  if (options.target === 'cf') {
    // Unminified, an artifact over 10 KB comes back: whether it fits minified decides (oversize()).
    return buildCf({ pipeline, runtime: options.runtime ?? DEFAULT_CF_RUNTIME, minify, oversize: minify === false });
  }
  // Hooks' require('...') resolve from the entry's project, wherever edge runs.
  return buildLambda({ pipeline, node: options.node, minify, resolveDir: dirname(resolve(options.entry)) });
}

/**
 * An unminified CloudFront Function over 10 KB is written when it fits minified, with a warning;
 * when it does not fit even minified, the minified build's rejection (with its size breakdown) stands.
 */
async function oversize(
  pipeline: Pipeline<any>, options: BuildOptions, result: Extract<BuildResult, { ok: true }>,
): Promise<{ result: BuildResult; warnings: string[] }> {
  const over = result.artifacts.filter((a) => a.bytes > a.limitBytes);
  if (!over.length) return { result, warnings: [] };
  const minified = await buildFor(pipeline, options, true);
  if (!minified.ok) return { result: minified, warnings: [] };
  const warnings = over.map((a) => {
    const small = minified.artifacts.find((m) => m.eventType === a.eventType);
    return `${a.file} is ${a.bytes} B unminified, over the ${a.limitBytes} B CloudFront accepts; it is written for reading, ` +
      `and fits minified (${small?.bytes ?? '?'} B): deploy a build without --no-minify`;
  });
  return { result, warnings };
}

async function removeStale(out: string, target: Target): Promise<void> {
  for (const e of EVENT_TYPES) {
    if (target === 'cf') await rm(join(out, `${e}.js`), { force: true });
    else {
      await rm(join(out, e), { recursive: true, force: true });
      await rm(join(out, `${e}.zip`), { force: true });
    }
  }
}
