import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { manifestOf, type BuildResult, type CfRuntime, type Pipeline } from '@edgeline/core';
import { buildCf } from '@edgeline/cf-target';
import { buildLambda, type NodeRuntime } from '@edgeline/lambda-target';
import { loadEntry } from './load-entry.js';

export type Target = 'cf' | 'lambda';
export type { NodeRuntime };

export interface BuildOptions {
  /** Module whose default export is an `edge()` pipeline. */
  entry: string;
  target: Target;
  /** cf only; default cloudfront-js-1.0. */
  runtime?: CfRuntime;
  /** lambda only; default nodejs22.x. */
  node?: NodeRuntime;
  /** Default dist/edge/<target>. */
  out?: string;
  minify?: boolean;
}

export interface BuildOutcome {
  result: BuildResult;
  out: string;
  /** Files written (none on rejection). */
  written: string[];
  /** `middleware: text` for each warning a middleware of the pipeline gives (MiddlewareDefinition.warnings). */
  warnings: string[];
}

const COMMONJS_PACKAGE = JSON.stringify({ type: 'commonjs' }, null, 2) + '\n';

const EVENT_TYPES = ['viewer-request', 'origin-request', 'origin-response', 'viewer-response'];

/**
 * What `edge build` does: load the entry, build for the target, and on success write the
 * artifacts and manifest.json (removing artifacts of event types the pipeline no longer uses).
 * On rejection nothing is written.
 */
export async function build(options: BuildOptions): Promise<BuildOutcome> {
  const pipeline = await loadEntry(options.entry);
  const out = options.out ?? `dist/edge/${options.target}`;
  const result = await buildFor(pipeline, options);
  const warnings = pipeline.middleware.flatMap((mw) => (mw.warnings ?? []).map((w) => `${mw.name}: ${w}`));
  if (!result.ok) return { result, out, written: [], warnings };
  await removeStale(out, options.target);
  const written: string[] = [];
  for (const a of result.artifacts) {
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
  const manifest = join(out, 'manifest.json');
  await writeFile(manifest, JSON.stringify(manifestOf(result, options.entry), null, 2) + '\n');
  written.push(manifest);
  return { result, out, written, warnings };
}

function buildFor(pipeline: Pipeline<any>, options: BuildOptions): Promise<BuildResult> {
  if (options.target === 'cf') return buildCf({ pipeline, runtime: options.runtime ?? 'cloudfront-js-1.0', minify: options.minify });
  return buildLambda({ pipeline, node: options.node, minify: options.minify });
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
