import type { Capability, EventType, RequestEventType } from './capability.js';
import { isRequestEvent } from './capability.js';
import { planPipeline, type Placement, type Plan } from './check.js';
import { planAuto } from './auto.js';
import type { Answer, RequestContext, ResponseContext } from './context.js';
import { HeaderGuardError, EdgelineError, CODES } from './errors.js';
import type { Middleware } from './middleware.js';
import { isPipeline, Pipeline } from './pipeline.js';
import { toOutcome, type Outcome } from './outcome.js';
import { hookSource } from './portable.js';
import { scanHook, type Finding } from './lower/scan.js';
import * as cff from './runtime/cff.js';
import * as le from './runtime/lambda.js';
import { HEADER_PROBLEM_TEXT, headerProblem } from './runtime/guard.js';
import type { ChangeGuard } from './runtime/value-map.js';
import { AUTO_CF_RUNTIME, DEFAULT_CF_RUNTIME, isCfTarget, type AutoTarget, type CfRuntime, type TargetName } from './target.js';
import { skipsResponse } from './lower/emit.js';
import { respond } from './runtime/answer.js';

export interface RunOptions {
  /**
   * The target whose placement rules apply. Default: `DEFAULT_CF_RUNTIME` (`cloudfront-js-1.0`, as `edge build --target cf`) for CloudFront Functions events, `lambda` for Lambda@Edge ones.
   * `'auto'`: where `edge build --target auto` puts each hook (checkPipeline(pipeline, 'auto')); the event must be of the kind
   * the plan runs at its event type (a CloudFront Functions event where the plan has a CloudFront Function, else a Lambda@Edge one).
   */
  target?: TargetName | AutoTarget;
  /** Target `'auto'`: the CloudFront Functions runtime the plan may use (default `cloudfront-js-2.0`, as `edge build --target auto`). */
  runtime?: CfRuntime;
  /** Throw on headers CloudFront would refuse (default true). */
  guard?: boolean;
  /** Check that every hook can be lowered to an artifact (default true). */
  portable?: boolean;
  /** The KeyValueStore a cloudfront-js-2.0 function reads (`ctx.kvs`). */
  kvs?: Record<string, string>;
  /**
   * Rethrow an error thrown by a hook, for debugging. Default false: answer as the artifact does
   * (the middleware's `onError`, else 502, after logging the error with the middleware's name).
   */
  rethrow?: boolean;
  /** Where the log line of a hook that threw goes. Default: console.log for CloudFront Functions events, console.error for Lambda@Edge ones, as in the artifact. */
  log?: (line: string) => void;
}

/** A stand-in for the runtime 2.0 `cloudfront` module: an in-memory KeyValueStore, origin changes recorded. */
export function cloudfrontStub(store: Record<string, string> = {}): cff.CloudFrontModule & { origin: Record<string, unknown> | undefined } {
  return {
    origin: undefined,
    updateRequestOrigin(params) {
      this.origin = params;
    },
    kvs() {
      return {
        get: (key: string) => (Object.prototype.hasOwnProperty.call(store, key) ? Promise.resolve(store[key]) : Promise.reject(new Error(`key ${key} not found`))),
      };
    },
  };
}

/** A guard that throws the error CloudFront would answer with a 502. */
export function headerGuard(eventType: EventType, where: 'request' | 'response'): ChangeGuard {
  return (name, value) => {
    const problem = headerProblem(eventType, name, value);
    if (problem) {
      throw new HeaderGuardError(name, `${where} header '${name}' ${HEADER_PROBLEM_TEXT[problem]} (event type ${eventType})`);
    }
  };
}

const findings = new WeakMap<Function, Finding[]>();

/** The hook's lowerable source (NotPortableError if it has none) read as the builds read it, once per hook. */
function findingsOf(middleware: string, hook: 'request' | 'response', fn: Function): Finding[] {
  let out = findings.get(fn);
  if (!out) {
    out = scanHook(hookSource(middleware, hook, fn));
    findings.set(fn, out);
  }
  return out;
}

/** Whether an event is a Lambda@Edge one (`Records`), not a CloudFront Functions one. */
export function isLambdaEvent(event: unknown): event is le.LeEvent {
  return typeof event === 'object' && event !== null && Array.isArray((event as le.LeEvent).Records);
}

export function eventTypeOf(event: cff.CffEvent | le.LeEvent): EventType {
  const t = isLambdaEvent(event) ? event.Records[0].cf.config.eventType : event.context.eventType;
  return t as EventType;
}

/**
 * Runs one event through a pipeline (or a single middleware) in this process, with the same
 * semantics as the generated artifacts: a hook that throws is logged with its middleware's name
 * and, in a request hook, answered with the middleware's `onError` (else 502), which goes through
 * the response hooks before it; in a response hook, the response goes on with the changes made so
 * far. `rethrow: true` lets the error through instead. The event passed in is not changed.
 * @example const out = await runPipeline(pipeline, viewerRequest({ uri: '/' }));
 */
export async function runPipeline(
  pipelineOrMiddleware: Pipeline<Capability> | Middleware,
  input: cff.CffEvent | le.LeEvent,
  options: RunOptions = {},
): Promise<Outcome> {
  const pipeline = isPipeline(pipelineOrMiddleware) ? pipelineOrMiddleware : new Pipeline([pipelineOrMiddleware as Middleware]);
  const lambda = isLambdaEvent(input);
  const { target, plan } = options.target === 'auto'
    ? autoTarget(pipeline, input, options.runtime ?? AUTO_CF_RUNTIME)
    : planFor(pipeline, options.target ?? (lambda ? 'lambda' : DEFAULT_CF_RUNTIME));
  if (!plan.ok) {
    const lines = plan.violations.map((v) => `- ${v.middleware} needs ${v.capability}: ${v.why}; fix: ${v.fix}`);
    const defaulted = options.target === undefined && !lambda
      ? `\n(runPipeline runs a CloudFront Functions event on ${DEFAULT_CF_RUNTIME}, as \`edge build --target cf\` builds by default: pass { target: 'cloudfront-js-1.0' } or { target: 'lambda' } to test another)`
      : '';
    throw new EdgelineError(CODES.rejected, `the pipeline cannot run on ${target}:\n${lines.join('\n')}${defaulted}`);
  }
  if (options.portable !== false) {
    const undeclared: string[] = [];
    for (const p of plan.placements) {
      for (const hook of ['request', 'response'] as const) {
        const fn = p.middleware[hook];
        if (!fn) continue;
        for (const f of findingsOf(p.middleware.name, hook, fn)) {
          // As both builds refuse it (cf-target and lambda-target scan-hooks).
          if (f.capability !== undefined && (p.middleware.needs as readonly string[]).indexOf(f.capability) < 0) {
            undeclared.push(`- ${p.middleware.name}: its ${hook} hook uses ${f.construct} but the middleware does not declare '${f.capability}'; fix: add '${f.capability}' to the middleware's needs`);
          }
        }
      }
    }
    if (undeclared.length) throw new EdgelineError(CODES.rejected, `the pipeline does not build:\n${undeclared.join('\n')}`);
  }
  // Hooks change the event's objects in place, as they do in the artifact: work on a copy.
  const event = structuredClone(input);
  const eventType = eventTypeOf(event);
  // CloudFront's request has rawQueryString() on runtime 2.0 (viewer-request), not on 1.0; a
  // clone has no method: the input's (a fixture's), else the text of the query object (rawQueryOf).
  if (!lambda && target === 'cloudfront-js-2.0' && eventType === 'viewer-request') {
    const request = (event as cff.CffEvent).request;
    const raw = cff.rawQueryOf((input as cff.CffEvent).request);
    Object.defineProperty(request, 'rawQueryString', { value: () => raw, enumerable: false, writable: true, configurable: true });
  }
  const stub = cloudfrontStub(options.kvs);
  const guards: cff.AdapterOptions = options.guard === false
    ? { cf: stub }
    : { request: headerGuard(eventType, 'request'), response: headerGuard(eventType, 'response'), cf: stub };
  const run: Run = {
    placements: plan.placements, eventType, lambda, guards,
    failed: (error, index) => {
      // What the test must see: a header CloudFront refuses, or a hook debugged with rethrow.
      if (options.rethrow || error instanceof HeaderGuardError) throw error;
      (options.log ?? defaultLog(lambda))(logLine(run, error, index, event));
    },
  };
  const raw = isRequestEvent(eventType) ? await requestPhase(run, event) : await responsePhase(run, event);
  const outcome = toOutcome(eventType, raw);
  if (outcome.kind === 'forward' && stub.origin) outcome.origin = stub.origin;
  return outcome;
}

function planFor(pipeline: Pipeline<Capability>, target: TargetName): { target: TargetName; plan: Plan } {
  return { target, plan: planPipeline(pipeline, target) };
}

/** The auto plan, as a Plan for the target that runs the event's type (a rejection names 'auto'). */
function autoTarget(pipeline: Pipeline<Capability>, input: cff.CffEvent | le.LeEvent, runtime: CfRuntime): { target: TargetName; plan: Plan } {
  const auto = planAuto(pipeline, { runtime });
  const eventType = eventTypeOf(input);
  if (!auto.ok) {
    const lines = auto.violations.map((v) => `- ${v.middleware} needs ${v.capability}: ${v.why}; fix: ${v.fix}`);
    throw new EdgelineError(CODES.rejected, `the pipeline cannot run on --target auto (CloudFront Functions ${runtime}, or Lambda@Edge):\n${lines.join('\n')}`);
  }
  const at = auto.events.find((e) => e.eventType === eventType);
  // No hook at this event type: CloudFront runs no function there, of either kind.
  const target = at ? at.target : isLambdaEvent(input) ? 'lambda' : runtime;
  if (isLambdaEvent(input) === isCfTarget(target)) {
    const make = isCfTarget(target) ? `a CloudFront Functions event (viewerRequest(), viewerResponse(), eventFor('cff', ...))` : `a Lambda@Edge event (lambdaEvent('${eventType}', ...))`;
    throw new EdgelineError(CODES.usage, `with target 'auto', ${eventType} runs on ${isCfTarget(target) ? `a CloudFront Function (${target})` : 'Lambda@Edge'}: pass ${make}`);
  }
  return { target, plan: { ok: true, target, placements: auto.placements } };
}

/** One invocation: what every phase needs, by name. */
interface Run {
  placements: Placement[];
  eventType: EventType;
  lambda: boolean;
  guards: cff.AdapterOptions;
  /** Rethrows, or logs the error as the artifact does (`index`: the placement whose hook threw, -1 for none). */
  failed(error: unknown, index: number): void;
}

function defaultLog(lambda: boolean): (line: string) => void {
  // The artifacts' own console calls: console.log on CloudFront Functions, console.error (CloudWatch) on Lambda@Edge.
  return lambda ? (line) => console.error(line) : (line) => console.log(line);
}

/** The artifact's log line for a hook that threw (lower/emit.ts, __edge_log). */
function logLine(run: Run, error: unknown, index: number, event: cff.CffEvent | le.LeEvent): string {
  const middleware = run.placements[index]?.middleware.name;
  if (!run.lambda) return `edgeline: middleware ${middleware} failed: ${String(error)}`;
  const e = error as { stack?: string } | undefined;
  return JSON.stringify({
    edgeline: 'middleware error', middleware, eventType: run.eventType,
    requestId: (event as le.LeEvent).Records[0].cf.config.requestId, error: String((e && e.stack) || error),
  });
}

async function requestPhase(run: Run, event: cff.CffEvent | le.LeEvent): Promise<unknown> {
  const { placements, eventType, lambda, guards } = run;
  let ctx: RequestContext | undefined;
  let i = -1;
  try {
    ctx = lambda ? le.leRequestContext(event as le.LeEvent, guards) : cff.cffRequestContext(event as cff.CffEvent, guards);
    for (const p of placements) {
      if (p.request !== eventType) continue;
      i = p.index;
      const answer = await p.middleware.request!(ctx, p.middleware.config);
      if (answer) return await answerThrough(run, i, ctx, answer);
    }
  } catch (error) {
    run.failed(error, i);
    const onError = i >= 0 ? placements[i].middleware.onError : undefined;
    return answerThrough(run, i, ctx, respond(onError ?? { status: 502 }));
  }
  return lambda ? le.leForward(ctx, event as le.LeEvent) : cff.cffForward(ctx, event as cff.CffEvent);
}

/**
 * An answer made at a request event goes through the response hooks of the middleware before
 * `index` (CloudFront skips the response event for it); a hook that throws there is logged and
 * the answer goes out with the changes made so far.
 */
async function answerThrough(run: Run, index: number, ctx: RequestContext | undefined, answer: Answer): Promise<unknown> {
  const { placements, lambda, guards } = run;
  const eventType = run.eventType as RequestEventType;
  const answerGuards = guards.request
    ? { request: guards.request, cf: guards.cf, response: headerGuard(eventType === 'origin-request' ? 'origin-response' : 'viewer-response', 'response') }
    : guards;
  const raw = lambda ? le.leAnswer(answer, answerGuards) : cff.cffAnswer(answer, answerGuards);
  if (!ctx || index < 0) return raw;
  const r = lambda
    ? le.leAnswerContext(ctx, raw as le.LeResponse, eventType, answerGuards)
    : cff.cffAnswerContext(ctx, raw as cff.CffResponse, answerGuards);
  let j = -1;
  try {
    for (let k = index - 1; k >= 0; k--) {
      const p = placements[k];
      if (p.response && skipsResponse(eventType, p.response)) {
        j = k;
        await p.middleware.response!(r, p.middleware.config);
      }
    }
  } catch (error) {
    run.failed(error, j);
  }
  return lambda ? le.leResponse(r, raw as le.LeResponse) : cff.cffResponse(r, raw as cff.CffResponse);
}

async function responsePhase(run: Run, event: cff.CffEvent | le.LeEvent): Promise<unknown> {
  const { placements, eventType, lambda, guards } = run;
  const eventResponse = () => (lambda ? le.leEventResponse(event as le.LeEvent) : (event as cff.CffEvent).response as cff.CffResponse);
  let ctx: ResponseContext | undefined;
  let i = -1;
  try {
    ctx = lambda ? le.leResponseContext(event as le.LeEvent, guards) : cff.cffResponseContext(event as cff.CffEvent, guards);
    for (let k = placements.length - 1; k >= 0; k--) {
      const p = placements[k];
      if (p.response !== eventType) continue;
      i = k;
      await p.middleware.response!(ctx, p.middleware.config);
    }
  } catch (error) {
    run.failed(error, i);
  }
  if (!ctx) return eventResponse();
  return lambda ? le.leResponse(ctx, eventResponse() as le.LeResponse) : cff.cffResponse(ctx, eventResponse() as cff.CffResponse);
}
