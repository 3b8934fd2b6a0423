import { mkdir, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  autoParts, isCfTarget, planAuto, PRICES,
  type Artifact, type AutoEvent, type AutoPart, type AutoPlan, type BuildResult, type CfRuntime, type EventType,
  type Pipeline, type SizeShare, type Violation,
} from '@edgeline/core';
import { buildCf } from '@edgeline/cf-target';
import { buildLambda, DEFAULT_NODE_RUNTIME, type NodeRuntime } from '@edgeline/lambda-target';
import { EntryError } from './errors.js';
import { readEntry } from './load-entry.js';
import { middlewareBytes } from './sizes.js';

export interface AutoBuildOptions {
  /** Module that exports an `edge()` pipeline. */
  entry: string;
  /** The CloudFront Functions runtime where one runs an event type. Default cloudfront-js-2.0. */
  runtime?: CfRuntime;
  /** The Lambda@Edge runtime. Default nodejs22.x. */
  node?: NodeRuntime;
  /** Default dist/edge: artifacts in <out>/cf/ and <out>/lambda/, laid out as the single-target builds, and <out>/manifest.json. */
  out?: string;
  /** Default true. */
  minify?: boolean;
  typecheck?: boolean;
}

/** An artifact of an auto build: `file` and `zipFile` relative to `<out>` (`cf/viewer-request.js`, `lambda/origin-request/index.js`). */
export type AutoArtifact = Artifact & { target: 'cf' | 'lambda' };

export type AutoBuildResult =
  | { ok: true; target: 'auto'; plan: Extract<AutoPlan, { ok: true }>; artifacts: AutoArtifact[] }
  | { ok: false; target: 'auto'; violations: Violation[] };

export interface AutoBuildOutcome {
  result: AutoBuildResult;
  out: string;
  node: NodeRuntime;
  written: string[];
  warnings: string[];
  sizes: Record<string, SizeShare[]>;
  inputs: string[];
}

const COMMONJS_PACKAGE = JSON.stringify({ type: 'commonjs' }, null, 2) + '\n';
const EVENT_TYPES: readonly EventType[] = ['viewer-request', 'origin-request', 'origin-response', 'viewer-response'];

/**
 * `edge build` with no --target (or --target auto): plans where each event type runs
 * (checkPipeline(pipeline, 'auto')), builds each event type's artifact for its target, and writes
 * them as the single-target builds lay them out, under `<out>/cf/` and `<out>/lambda/`, with one
 * `<out>/manifest.json` listing every artifact with its target and the plan. A viewer event whose
 * CloudFront Function the build refuses (a hook's code, the 10 KB limit) is planned again on
 * Lambda@Edge, saying why. On rejection nothing is written or removed.
 * @example const { result } = await buildAuto({ entry: 'edge.ts' });
 */
export async function buildAuto(options: AutoBuildOptions): Promise<AutoBuildOutcome> {
  if (options.typecheck) await (await import('./typecheck.js')).typecheck(options.entry);
  const { pipeline, inputs } = await readEntry(options.entry);
  const out = options.out ?? 'dist/edge';
  const node = options.node ?? DEFAULT_NODE_RUNTIME;
  if (!pipeline.middleware.length) {
    throw new EntryError(`${options.entry} exports an empty pipeline: add middleware with .use(...) (nothing was built, and ${out} is left as it was)`);
  }
  const warnings = pipeline.middleware.flatMap((mw) => (mw.warnings ?? []).map((w) => `${mw.name}: ${w}`));
  const rejected = (violations: Violation[]): AutoBuildOutcome => ({ result: { ok: false, target: 'auto', violations }, out, node, written: [], warnings, sizes: {}, inputs });
  const minify = options.minify !== false;
  const forced: Partial<Record<EventType, string>> = {};
  let plan: AutoPlan;
  let built: { part: AutoPart; artifact: Artifact; warning?: string }[];
  for (;;) {
    plan = planAuto(pipeline, { runtime: options.runtime, lambda: forced });
    if (!plan.ok) return rejected(plan.violations);
    if (!plan.events.length) {
      throw new EntryError(`${options.entry}: no middleware of the pipeline has a request or response hook, so there is nothing to build (${out} is left as it was)`);
    }
    const parts = autoParts(plan);
    const results = await Promise.all(parts.map((part) => buildPart(part, plan.runtime, options, minify)));
    const refused = results.findIndex((r, i) => !r.ok && isCfTarget(parts[i].target));
    if (refused >= 0 && !forced[parts[refused].eventType]) {
      const r = results[refused] as Extract<PartBuild, { ok: false }>;
      // What CloudFront Functions cannot run, Lambda@Edge may: the same event type, the other runtime.
      forced[parts[refused].eventType] = `its CloudFront Function was refused: ${r.violations.map((v) => `${v.middleware}: ${v.why}`).join('; ')}`;
      continue;
    }
    const failed = results.filter((r): r is Extract<PartBuild, { ok: false }> => !r.ok);
    if (failed.length) return rejected(failed.flatMap((r) => r.violations));
    built = results.map((r, i) => ({ part: parts[i], ...(r as Extract<PartBuild, { ok: true }>) }));
    break;
  }
  for (const b of built) if (b.warning) warnings.push(b.warning);

  await removeStale(out);
  const written: string[] = [];
  const sizes: Record<string, SizeShare[]> = {};
  const artifacts: AutoArtifact[] = [];
  for (const { part, artifact } of built) {
    const target = isCfTarget(part.target) ? 'cf' : 'lambda';
    const a: AutoArtifact = { ...artifact, target, file: `${target}/${artifact.file}`, ...(artifact.zipFile ? { zipFile: `${target}/${artifact.zipFile}` } : {}) };
    artifacts.push(a);
    sizes[a.file] = await middlewareBytes(part.pipeline, artifact, { name: target === 'cf' ? plan.runtime : 'lambda', minify });
    const file = join(out, a.file);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, a.code);
    written.push(file);
    if (target === 'lambda') {
      const pkg = join(dirname(file), 'package.json');
      await writeFile(pkg, COMMONJS_PACKAGE);
      written.push(pkg);
    }
    if (a.zipFile && a.zip) {
      await writeFile(join(out, a.zipFile), a.zip);
      written.push(join(out, a.zipFile));
    }
  }
  const result: AutoBuildResult = { ok: true, target: 'auto', plan, artifacts };
  const manifest = join(out, 'manifest.json');
  await writeFile(manifest, JSON.stringify(autoManifest(result, options.entry, node), null, 2) + '\n');
  written.push(manifest);
  return { result, out, node, written, warnings, sizes, inputs };
}

type PartBuild = { ok: true; artifact: Artifact; warning?: string } | { ok: false; violations: Violation[] };

async function buildPart(part: AutoPart, runtime: CfRuntime, options: AutoBuildOptions, minify: boolean): Promise<PartBuild> {
  const cf = isCfTarget(part.target);
  const build = (min: boolean): Promise<BuildResult> => cf
    ? buildCf({ pipeline: part.pipeline as Pipeline<any>, runtime, minify: min, oversize: !min })
    : buildLambda({ pipeline: part.pipeline as Pipeline<any>, node: options.node, minify: min, resolveDir: dirname(resolve(options.entry)) });
  const result = await build(minify);
  if (!result.ok) return { ok: false, violations: result.violations };
  // A part's build may hold other event types' artifacts (the response hooks an answer runs through): only its own is kept.
  const artifact = result.artifacts.find((a) => a.eventType === part.eventType)!;
  if (minify || artifact.bytes <= artifact.limitBytes) return { ok: true, artifact };
  // Unminified over 10 KB: written for reading when it fits minified, as --target cf does.
  const small = await build(true);
  if (!small.ok) return { ok: false, violations: small.violations };
  const fits = small.artifacts.find((a) => a.eventType === part.eventType)!;
  return {
    ok: true, artifact,
    warning: `cf/${artifact.file} is ${artifact.bytes} B unminified, over the ${artifact.limitBytes} B CloudFront accepts; it is written for reading, ` +
      `and fits minified (${fits.bytes} B): deploy a build without --no-minify`,
  };
}

/** Removes what an earlier build (auto, or --target cf|lambda with --out <out>/cf or <out>/lambda) left for event types. */
async function removeStale(out: string): Promise<void> {
  for (const e of EVENT_TYPES) {
    await rm(join(out, 'cf', `${e}.js`), { force: true });
    await rm(join(out, 'lambda', e), { recursive: true, force: true });
    await rm(join(out, 'lambda', `${e}.zip`), { force: true });
  }
  // One manifest lists every artifact: a single-target build's own would contradict it.
  for (const dir of ['cf', 'lambda']) {
    await rm(join(out, dir, 'manifest.json'), { force: true });
    try {
      if (!(await readdir(join(out, dir))).length) await rmdir(join(out, dir));
    } catch {
      // No such folder.
    }
  }
}

/** What the plan says of one event type, for manifest.json and --json. */
export function planEntry(e: AutoEvent, node: NodeRuntime): object {
  return { ...e, runtime: isCfTarget(e.target) ? e.target : node, target: isCfTarget(e.target) ? 'cf' : 'lambda' };
}

/** manifest.json of an auto build: the plan (with the price estimate) and every artifact with its target, without code. */
export function autoManifest(result: Extract<AutoBuildResult, { ok: true }>, entry: string | undefined, node: NodeRuntime): object {
  return {
    target: 'auto',
    entry,
    plan: {
      events: result.plan.events.map((e) => planEntry(e, node)),
      pricePerMillion: result.plan.pricePerMillion,
      prices: PRICES,
      note: 'estimates in US dollars per million requests reaching each event type, from public prices read on prices.read; origin events run only on cache misses',
    },
    artifacts: result.artifacts.map(({ code: _code, zip: _zip, ...rest }) => rest),
  };
}
