import type { Capability, EventType } from '../capability.js';
import { CODES, EdgelineError } from '../errors.js';
import type { Middleware } from '../middleware.js';
import { isPipeline, Pipeline } from '../pipeline.js';
import { toOutcome, type Outcome } from '../outcome.js';
import { eventTypeOf, isLambdaEvent } from '../run.js';
import type { Artifact, BuildResult } from '../lower/artifact.js';
import type { CffEvent } from '../runtime/cff.js';
import type { LeEvent } from '../runtime/lambda.js';
import { AUTO_CF_RUNTIME, DEFAULT_CF_RUNTIME, isCfTarget, type CfRuntime } from '../target.js';
import { autoParts, planAuto, type AutoPart } from '../auto.js';

/** What runs a CloudFront Function artifact: njs (the engine CloudFront Functions share) or the in-process vm emulator. */
export type CfEngine = 'njs' | 'emulator';

export interface RunBuiltOptions {
  /**
   * The build target, as `edge build --target`. Default: `cf` for a CloudFront Functions event, `lambda` for a Lambda@Edge one.
   * `auto`: the artifact `edge build --target auto` makes for the event's type (a CloudFront Function or a Lambda@Edge
   * handler, as the plan says); the event must be of that kind.
   */
  target?: 'cf' | 'lambda' | 'auto';
  /** The CloudFront Functions runtime (targets `cf` and `auto`). Default `DEFAULT_CF_RUNTIME` for `cf`, `cloudfront-js-2.0` for `auto`, as `edge build`. */
  runtime?: CfRuntime;
  /** The KeyValueStore of a cloudfront-js-2.0 function. */
  kvs?: Record<string, string>;
  /** Target `cf`: run the artifact in njs (default; needs the `njs` binary) or the vm emulator. */
  engine?: CfEngine;
  /** Use the middleware's hand-written lowerings where they have one (default true, as `edge build`). */
  direct?: boolean;
}

type EmulatorRun = { ok: true; result: unknown; origin?: Record<string, unknown> } | { ok: false; error: string };
type AnyPipeline = Pipeline<Capability> | Middleware;

// @edgeline/cf-target and @edgeline/lambda-target depend on this package: they are optional peer
// dependencies, loaded when a test asks for an artifact. Only what is used here is declared.
interface CfTarget {
  buildCf(options: { pipeline: Pipeline<never>; runtime?: CfRuntime; direct?: boolean }): Promise<BuildResult>;
  runInNjs(code: string, events: CffEvent[], options?: { runtime?: CfRuntime; kvs?: Record<string, string> }): Promise<EmulatorRun[]>;
  runInEmulator(code: string, event: CffEvent, options?: { runtime?: CfRuntime; kvs?: Record<string, string> }): Promise<EmulatorRun>;
}
interface LambdaTarget {
  buildLambda(options: { pipeline: Pipeline<never>; direct?: boolean }): Promise<BuildResult>;
  runLambdaArtifact(code: string, event: LeEvent, context?: object, options?: { logs?: string[] }): Promise<unknown>;
}

// A specifier in a variable: bundlers and tsc leave the import to run time.
const CF_TARGET = '@edgeline/cf-target';
const LAMBDA_TARGET = '@edgeline/lambda-target';

async function load<T>(name: string): Promise<T> {
  try {
    return (await import(/* @vite-ignore */ name)) as T;
  } catch (e) {
    throw new Error(`runBuilt needs ${name} (an optional peer dependency of @edgeline/core): npm install -D ${name}\n${(e as Error).message}`);
  }
}

function asPipeline(p: AnyPipeline): Pipeline<Capability> {
  return isPipeline(p) ? p : new Pipeline([p as Middleware]);
}

/** Builds, once per pipeline (or middleware) object and options. */
const builds = new WeakMap<object, Map<string, Promise<BuildResult>>>();

/** The build of `pipeline` for a target, made once per pipeline object and target options. */
export function builtFor(pipeline: AnyPipeline, target: 'cf' | 'lambda', runtime: CfRuntime, direct: boolean): Promise<BuildResult> {
  let mine = builds.get(pipeline);
  if (!mine) builds.set(pipeline, (mine = new Map()));
  const key = `${target} ${target === 'cf' ? runtime : ''} ${direct}`;
  let build = mine.get(key);
  if (!build) {
    const p = asPipeline(pipeline) as Pipeline<never>;
    build = target === 'cf'
      ? load<CfTarget>(CF_TARGET).then((m) => m.buildCf({ pipeline: p, runtime, direct }))
      : load<LambdaTarget>(LAMBDA_TARGET).then((m) => m.buildLambda({ pipeline: p, direct }));
    // A build that throws is not kept: the next call tries again.
    build.catch(() => mine!.delete(key));
    mine.set(key, build);
  }
  return build;
}

/** The artifact at `eventType`, undefined when no hook runs there (CloudFront then runs no function). */
export async function artifactFor(pipeline: AnyPipeline, eventType: EventType, target: 'cf' | 'lambda', runtime: CfRuntime, direct: boolean): Promise<Artifact | undefined> {
  const result = await builtFor(pipeline, target, runtime, direct);
  if (!result.ok) {
    const lines = result.violations.map((v) => `- ${v.middleware} needs ${v.capability}: ${v.why}; fix: ${v.fix}`);
    throw new EdgelineError(CODES.rejected, `the pipeline does not build for ${target === 'cf' ? runtime : 'lambda'}:\n${lines.join('\n')}`);
  }
  return result.artifacts.find((a) => a.eventType === eventType);
}

/** What CloudFront passes on when no function runs at the event's type. */
export function untouched(event: CffEvent | LeEvent): Outcome {
  const eventType = eventTypeOf(event);
  const isRequest = eventType === 'viewer-request' || eventType === 'origin-request';
  const raw = isLambdaEvent(event)
    ? (isRequest ? event.Records[0].cf.request : event.Records[0].cf.response)
    : (isRequest ? event.request : event.response);
  return toOutcome(eventType, JSON.parse(JSON.stringify(raw)));
}

/** An artifact run that CloudFront would answer with an error (a throw, a hang, a result it refuses). */
export class ArtifactRunError extends Error {
  constructor(public readonly engine: string, message: string) {
    super(`the artifact failed in ${engine}: ${message}`);
    this.name = 'ArtifactRunError';
  }
}

/** Runs CloudFront Functions events through one artifact, in njs (one process for all) or the emulator. */
export async function runCfArtifact(
  code: string, events: CffEvent[], options: { runtime: CfRuntime; kvs?: Record<string, string>; engine: CfEngine },
): Promise<Array<Outcome | ArtifactRunError>> {
  const cf = await load<CfTarget>(CF_TARGET);
  const opts = { runtime: options.runtime, kvs: options.kvs };
  const runs = options.engine === 'njs'
    ? await cf.runInNjs(code, events, opts).catch((e: Error) => {
      if (/ENOENT/.test(e.message)) throw new Error(`njs is not installed (apt-get install -y njs), or ask for engine 'emulator': ${e.message}`);
      throw e;
    })
    : await Promise.all(events.map((e) => cf.runInEmulator(code, e, opts)));
  return runs.map((run, i) => {
    if (!run.ok) return new ArtifactRunError(`${options.engine} (${options.runtime})`, run.error);
    const outcome = toOutcome(eventTypeOf(events[i]), run.result);
    if (outcome.kind === 'forward' && run.origin) outcome.origin = run.origin;
    return outcome;
  });
}

/** Runs a Lambda@Edge event through an artifact loaded as a fresh CommonJS module; its console lines are kept, not printed. */
export async function runLambda(code: string, event: LeEvent): Promise<Outcome | ArtifactRunError> {
  const lambda = await load<LambdaTarget>(LAMBDA_TARGET);
  try {
    const raw = await lambda.runLambdaArtifact(code, event, {}, { logs: [] });
    return toOutcome(eventTypeOf(event), raw);
  } catch (e) {
    return new ArtifactRunError('lambda', String((e as Error)?.message ?? e));
  }
}

/**
 * Builds the pipeline as `edge build` does (once per pipeline object and options) and runs the
 * event through the artifact itself: in njs (or the vm emulator) for a CloudFront Function, as a
 * fresh CommonJS module for Lambda@Edge. Gives the same Outcome as runPipeline; throws
 * ArtifactRunError where CloudFront would answer an error (the function threw or returned what
 * CloudFront refuses). Needs `@edgeline/cf-target` or `@edgeline/lambda-target` installed.
 * @example const out = await runBuilt(pipeline, viewerRequest({ uri: '/' }));
 */
export async function runBuilt(pipeline: AnyPipeline, event: CffEvent | LeEvent, options: RunBuiltOptions = {}): Promise<Outcome> {
  if (options.target === 'auto') return runBuiltAuto(pipeline, event, options);
  const lambda = isLambdaEvent(event);
  const target = options.target ?? (lambda ? 'lambda' : 'cf');
  if (lambda !== (target === 'lambda')) {
    throw new Error(`runBuilt: a ${lambda ? 'Lambda@Edge' : 'CloudFront Functions'} event cannot run on target ${target}: make the event with eventFor('${target === 'cf' ? 'cff' : 'lambda'}', ...)`);
  }
  const runtime = options.runtime ?? DEFAULT_CF_RUNTIME;
  const direct = options.direct !== false;
  const artifact = await artifactFor(pipeline, eventTypeOf(event), target, runtime, direct);
  if (!artifact) return untouched(event);
  const out = lambda
    ? await runLambda(artifact.code, event)
    : (await runCfArtifact(artifact.code, [event as CffEvent], { runtime, kvs: options.kvs, engine: options.engine ?? 'njs' }))[0];
  if (out instanceof ArtifactRunError) throw out;
  return out;
}

/** Auto plans' parts, once per pipeline object and runtime, so each part's build is cached too. */
const autoBuilds = new WeakMap<object, Map<CfRuntime, AutoPart[]>>();

function autoPartsFor(pipeline: AnyPipeline, runtime: CfRuntime): AutoPart[] {
  let mine = autoBuilds.get(pipeline);
  if (!mine) autoBuilds.set(pipeline, (mine = new Map()));
  let parts = mine.get(runtime);
  if (!parts) {
    const plan = planAuto(asPipeline(pipeline), { runtime });
    if (!plan.ok) {
      const lines = plan.violations.map((v) => `- ${v.middleware} needs ${v.capability}: ${v.why}; fix: ${v.fix}`);
      throw new EdgelineError(CODES.rejected, `the pipeline does not build for --target auto:\n${lines.join('\n')}`);
    }
    parts = autoParts(plan);
    mine.set(runtime, parts);
  }
  return parts;
}

/** runBuilt with target 'auto': the artifact of the event's type from the part the plan builds for it. */
async function runBuiltAuto(pipeline: AnyPipeline, event: CffEvent | LeEvent, options: RunBuiltOptions): Promise<Outcome> {
  const lambda = isLambdaEvent(event);
  const runtime = options.runtime ?? AUTO_CF_RUNTIME;
  const eventType = eventTypeOf(event);
  const part = autoPartsFor(pipeline, runtime).find((p) => p.eventType === eventType);
  if (!part) return untouched(event);
  const cf = isCfTarget(part.target);
  if (cf === lambda) {
    throw new Error(`runBuilt: with target 'auto', ${eventType} runs on ${cf ? `a CloudFront Function (${part.target})` : 'Lambda@Edge'}: make the event with eventFor('${cf ? 'cff' : 'lambda'}', ...)`);
  }
  const artifact = await artifactFor(part.pipeline, eventType, cf ? 'cf' : 'lambda', runtime, options.direct !== false);
  if (!artifact) return untouched(event);
  const out = lambda
    ? await runLambda(artifact.code, event)
    : (await runCfArtifact(artifact.code, [event as CffEvent], { runtime, kvs: options.kvs, engine: options.engine ?? 'njs' }))[0];
  if (out instanceof ArtifactRunError) throw out;
  return out;
}
