import type { Capability, EventType } from '../capability.js';
import { autoParts, planAuto, type AutoPart } from '../auto.js';
import { planPipeline } from '../check.js';
import { CODES, EdgelineError } from '../errors.js';
import type { Middleware } from '../middleware.js';
import { isPipeline, Pipeline } from '../pipeline.js';
import type { Outcome } from '../outcome.js';
import { eventTypeOf, isLambdaEvent, runPipeline } from '../run.js';
import type { CffEvent } from '../runtime/cff.js';
import type { LeEvent } from '../runtime/lambda.js';
import { AUTO_CF_RUNTIME, isCfTarget, type CfRuntime } from '../target.js';
import { ArtifactRunError, artifactFor, runCfArtifact, runLambda, untouched, type CfEngine } from './built.js';

export interface SameEverywhereOptions {
  /**
   * `auto`: each event runs where `edge build --target auto` puts its event type (checkPipeline(pipeline, 'auto')):
   * a CloudFront Functions event at a type planned as a CloudFront Function (source, vm emulator, njs of that
   * artifact), a Lambda@Edge event at a type planned on Lambda@Edge (source, Lambda artifact). An event of the
   * other shape than its type's plan throws, saying which to pass. Default: the event's own kind.
   */
  target?: 'auto';
  /** Target `auto`: the CloudFront Functions runtime the plan may use (default cloudfront-js-2.0, as `edge build --target auto`). */
  runtime?: CfRuntime;
  /** The runtimes CloudFront Functions events run on. Default: each of cloudfront-js-1.0 and 2.0 the pipeline can run on. */
  runtimes?: readonly CfRuntime[];
  /** The KeyValueStore of a cloudfront-js-2.0 function. */
  kvs?: Record<string, string>;
  /** What runs the CloudFront Function artifacts. Default both: the vm emulator and njs (needs the `njs` binary). */
  engines?: readonly CfEngine[];
  /** Use hand-written lowerings where middleware have them (default true, as `edge build`). */
  direct?: boolean;
}

const CF_RUNTIMES: readonly CfRuntime[] = ['cloudfront-js-1.0', 'cloudfront-js-2.0'];

type Result = Outcome | Error;
interface Mismatch {
  index: number;
  event: CffEvent | LeEvent;
  where: string;
  engine: string;
  source: Result;
  artifact: Result;
}

/**
 * Asserts the promise of Edgeline for each event: the TypeScript source run (runPipeline) and
 * the built artifact give the same outcome (forward with the same request, or the same answer).
 * A CloudFront Functions event runs in the vm emulator and in njs, on each runtime the pipeline
 * can run on; a Lambda@Edge event runs in the Lambda artifact. Each artifact is built once and
 * each engine runs a batch. Throws an Error listing every event that differs, with the
 * difference; works under any test runner (vitest, node --test). With `target: 'auto'` each event
 * runs where the auto plan puts its event type (see SameEverywhereOptions.target). Needs `@edgeline/cf-target`
 * and `@edgeline/lambda-target` (optional peer dependencies) for the events' targets.
 * @example await expectSameEverywhere(pipeline, [viewerRequest({ uri: '/' }), lambdaEvent('origin-request')]);
 */
export async function expectSameEverywhere(
  pipelineOrMiddleware: Pipeline<Capability> | Middleware,
  events: ReadonlyArray<CffEvent | LeEvent>,
  options: SameEverywhereOptions = {},
): Promise<void> {
  const pipeline = pipelineOrMiddleware;
  const plan = isPipeline(pipeline) ? pipeline : new Pipeline([pipeline as Middleware]);
  const direct = options.direct !== false;
  const mismatches: Mismatch[] = [];
  let runs = 0;

  if (options.target === 'auto') {
    runs = await sameAuto(pipeline, plan, events, options, mismatches);
    return report(mismatches, runs, events.length);
  }
  if (options.runtime) throw new Error(`expectSameEverywhere: 'runtime' is for target 'auto'; without it, pass runtimes: ['${options.runtime}']`);

  const cff = events.map((event, index) => ({ event, index })).filter((e) => !isLambdaEvent(e.event)) as { event: CffEvent; index: number }[];
  const lambda = events.map((event, index) => ({ event, index })).filter((e) => isLambdaEvent(e.event)) as { event: LeEvent; index: number }[];

  if (cff.length) {
    const runtimes = options.runtimes ?? CF_RUNTIMES.filter((r) => planPipeline(plan, r).ok);
    if (!runtimes.length) throw new Error('expectSameEverywhere: the pipeline runs on no CloudFront Functions runtime; give it Lambda@Edge events (lambdaEvent)');
    const engines = options.engines ?? (['emulator', 'njs'] as const);
    for (const runtime of runtimes) {
      for (const eventType of ['viewer-request', 'viewer-response'] as const) {
        const mine = cff.filter((e) => eventTypeOf(e.event) === eventType);
        if (!mine.length) continue;
        const sources = await Promise.all(mine.map((e) => sourceRun(pipeline, e.event, runtime, options.kvs)));
        const artifact = await artifactFor(pipeline, eventType, 'cf', runtime, direct);
        for (const engine of engines) {
          const outs: Result[] = artifact
            ? await runCfArtifact(artifact.code, mine.map((e) => e.event), { runtime, kvs: options.kvs, engine })
            : mine.map((e) => untouched(e.event));
          mine.forEach((e, k) => {
            runs++;
            if (!same(sources[k], outs[k])) mismatches.push({ ...e, where: runtime, engine, source: sources[k], artifact: outs[k] });
          });
        }
      }
    }
  }

  if (lambda.length) {
    for (const e of lambda) {
      const eventType = eventTypeOf(e.event);
      const source = await sourceRun(pipeline, e.event, 'lambda', undefined);
      const artifact = await artifactFor(pipeline, eventType, 'lambda', 'cloudfront-js-1.0', direct);
      const out = artifact ? await runLambda(artifact.code, e.event) : untouched(e.event);
      runs++;
      if (!same(source, out)) mismatches.push({ ...e, where: 'Lambda@Edge', engine: 'lambda', source, artifact: out });
    }
  }

  report(mismatches, runs, events.length);
}

/**
 * Target 'auto': checks each event's shape against the plan for its event type (all before
 * running any), then runs each CloudFront Function event type's events as one batch per engine
 * and each Lambda@Edge event through its part's artifact. Returns the number of runs.
 */
async function sameAuto(
  pipeline: Pipeline<Capability> | Middleware, plan: Pipeline<Capability>, events: ReadonlyArray<CffEvent | LeEvent>,
  options: SameEverywhereOptions, mismatches: Mismatch[],
): Promise<number> {
  if (options.runtimes) throw new Error(`expectSameEverywhere: with target 'auto', pin the CloudFront Functions runtime with runtime: '${options.runtimes[0]}' (not runtimes)`);
  const runtime = options.runtime ?? AUTO_CF_RUNTIME;
  const direct = options.direct !== false;
  const auto = planAuto(plan, { runtime });
  if (!auto.ok) {
    const lines = auto.violations.map((v) => `- ${v.middleware} needs ${v.capability}: ${v.why}; fix: ${v.fix}`);
    throw new EdgelineError(CODES.rejected, `expectSameEverywhere: the pipeline does not build for --target auto (CloudFront Functions ${runtime}, or Lambda@Edge):\n${lines.join('\n')}`);
  }
  const parts = autoParts(auto);
  const partOf = (e: CffEvent | LeEvent): AutoPart | undefined => parts.find((p) => p.eventType === eventTypeOf(e));

  const wrong: string[] = [];
  events.forEach((event, index) => {
    const part = partOf(event);
    if (!part || isCfTarget(part.target) !== isLambdaEvent(event)) return;
    const eventType = eventTypeOf(event);
    const pass = isCfTarget(part.target)
      ? `a CloudFront Functions event (viewerRequest(), viewerResponse(), eventFor('cff', '${eventType}', ...))`
      : `a Lambda@Edge event (lambdaEvent('${eventType}', ...))`;
    const request = isLambdaEvent(event) ? event.Records[0].cf.request : event.request;
    wrong.push(`- event #${index} (${eventType} ${request.method} ${request.uri}) is a ${isLambdaEvent(event) ? 'Lambda@Edge' : 'CloudFront Functions'} event, but the auto plan runs ${eventType} on ${isCfTarget(part.target) ? `a CloudFront Function (${part.target})` : 'Lambda@Edge'}: pass ${pass}`);
  });
  if (wrong.length) throw new Error(`expectSameEverywhere: with target 'auto', ${wrong.length} of ${events.length} events have the wrong shape for the plan:\n${wrong.join('\n')}`);

  let runs = 0;
  const indexed = events.map((event, index) => ({ event, index }));
  for (const eventType of ['viewer-request', 'origin-request', 'origin-response', 'viewer-response'] as const) {
    const mine = indexed.filter((e) => eventTypeOf(e.event) === eventType);
    if (!mine.length) continue;
    const part = partOf(mine[0].event);
    const sources = await Promise.all(mine.map((e) => sourceRun(pipeline, e.event, 'auto', options.kvs, runtime)));
    if (!part) {
      // No hook at this event type: CloudFront runs no function there, of either kind.
      mine.forEach((e, k) => {
        runs++;
        const out = untouched(e.event);
        if (!same(sources[k], out)) mismatches.push({ ...e, where: 'auto (no function)', engine: 'none', source: sources[k], artifact: out });
      });
      continue;
    }
    if (isCfTarget(part.target)) {
      const artifact = await artifactFor(part.pipeline, eventType, 'cf', runtime, direct);
      const cff = mine.map((e) => e.event as CffEvent);
      for (const engine of options.engines ?? (['emulator', 'njs'] as const)) {
        const outs: Result[] = artifact ? await runCfArtifact(artifact.code, cff, { runtime, kvs: options.kvs, engine }) : cff.map(untouched);
        mine.forEach((e, k) => {
          runs++;
          if (!same(sources[k], outs[k])) mismatches.push({ ...e, where: `auto, ${runtime}`, engine, source: sources[k], artifact: outs[k] });
        });
      }
    } else {
      const artifact = await artifactFor(part.pipeline, eventType, 'lambda', runtime, direct);
      for (const [k, e] of mine.entries()) {
        const out = artifact ? await runLambda(artifact.code, e.event as LeEvent) : untouched(e.event);
        runs++;
        if (!same(sources[k], out)) mismatches.push({ ...e, where: 'Lambda@Edge', engine: 'lambda', source: sources[k], artifact: out });
      }
    }
  }
  return runs;
}

/** Throws an Error listing every event whose runs differ, when any does. */
function report(mismatches: Mismatch[], runs: number, count: number): void {
  if (mismatches.length) {
    const byEvent = new Map<number, Mismatch[]>();
    for (const m of mismatches) byEvent.set(m.index, [...(byEvent.get(m.index) ?? []), m]);
    const blocks = [...byEvent].sort(([a], [b]) => a - b).map(([index, ms]) => `${nameOf(index, ms[0].event)}\n${ms.map(describe).join('\n')}`);
    const shown = blocks.slice(0, 20);
    const more = blocks.length > shown.length ? `\n\n... and ${blocks.length - shown.length} more events` : '';
    throw new Error(`expectSameEverywhere: ${mismatches.length} of ${runs} runs differ from the source run, on ${byEvent.size} of ${count} events\n\n${shown.join('\n\n')}${more}`);
  }
}

async function sourceRun(
  pipeline: Pipeline<Capability> | Middleware, event: CffEvent | LeEvent, target: CfRuntime | 'lambda' | 'auto',
  kvs: Record<string, string> | undefined, runtime?: CfRuntime,
): Promise<Result> {
  try {
    // The artifacts' log lines are not compared: the source run's are not printed either.
    return await runPipeline(pipeline, event, { target, runtime, kvs, log: () => {} });
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

/** What must be equal: the outcome without `raw` (each shape serialises its own way); any two failures are alike. */
function comparable(r: Result): unknown {
  if (r instanceof Error) return { kind: 'error' };
  const { raw: _raw, ...rest } = r;
  return JSON.parse(JSON.stringify(rest));
}

function same(a: Result, b: Result): boolean {
  return diff(comparable(a), comparable(b)).length === 0;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The paths where two values differ; objects by key (order aside), anything else as JSON. */
function diff(a: unknown, b: unknown, path = ''): { path: string; a: unknown; b: unknown }[] {
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => diff(a[k], b[k], path ? `${path}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [{ path: path || '(outcome)', a, b }];
}

function show(v: unknown): string {
  const text = v === undefined ? '(none)' : JSON.stringify(v);
  return text.length > 300 ? `${text.slice(0, 300)}...` : text;
}

function nameOf(index: number, event: CffEvent | LeEvent): string {
  const eventType: EventType = eventTypeOf(event);
  const request = isLambdaEvent(event) ? event.Records[0].cf.request : event.request;
  const json = JSON.stringify(event);
  return `event #${index} (${eventType} ${request.method} ${request.uri}): ${json.length > 400 ? `${json.slice(0, 400)}...` : json}`;
}

function describe(m: Mismatch): string {
  const engine = m.engine === 'lambda' ? 'Lambda@Edge artifact' : `${m.engine} (${m.where})`;
  const head = `  source run vs ${engine}:`;
  if (m.source instanceof Error || m.artifact instanceof Error) {
    const line = (r: Result) => (r instanceof Error ? `error: ${r instanceof ArtifactRunError ? r.message : `${r.name}: ${r.message}`}` : show(comparable(r)));
    return `${head}\n    source:   ${line(m.source)}\n    artifact: ${line(m.artifact)}`;
  }
  const lines = diff(comparable(m.source), comparable(m.artifact)).map((d) => `    ${d.path}: source ${show(d.a)}, artifact ${show(d.b)}`);
  return `${head}\n${lines.join('\n')}`;
}
