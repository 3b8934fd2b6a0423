import type { Capability, EventType, RequestEventType } from './capability.js';
import { isRequestEvent } from './capability.js';
import { planPipeline, type Placement } from './check.js';
import type { Answer, RequestContext, ResponseContext } from './context.js';
import { HeaderGuardError, EdgelineError, CODES } from './errors.js';
import type { Middleware } from './middleware.js';
import { isPipeline, Pipeline } from './pipeline.js';
import { toOutcome, type Outcome } from './outcome.js';
import { hookSource } from './portable.js';
import * as cff from './runtime/cff.js';
import * as le from './runtime/lambda.js';
import { HEADER_PROBLEM_TEXT, headerProblem } from './runtime/guard.js';
import type { ChangeGuard } from './runtime/value-map.js';
import type { TargetName } from './target.js';

export interface RunOptions {
  /** The target whose placement rules apply. Default: `cloudfront-js-2.0` for CloudFront Functions events, `lambda` for Lambda@Edge ones. */
  target?: TargetName;
  /** Throw on headers CloudFront would refuse (default true). */
  guard?: boolean;
  /** Check that every hook can be lowered to an artifact (default true). */
  portable?: boolean;
  /** The KeyValueStore a cloudfront-js-2.0 function reads (`ctx.kvs`). */
  kvs?: Record<string, string>;
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

function isLambdaEvent(event: unknown): event is le.LeEvent {
  return typeof event === 'object' && event !== null && Array.isArray((event as le.LeEvent).Records);
}

export function eventTypeOf(event: cff.CffEvent | le.LeEvent): EventType {
  const t = isLambdaEvent(event) ? event.Records[0].cf.config.eventType : event.context.eventType;
  return t as EventType;
}

/**
 * Runs one event through a pipeline (or a single middleware) in this process, with the same
 * semantics as the generated artifacts. Errors in hooks are not caught here: tests see them.
 */
export async function runPipeline(
  pipelineOrMiddleware: Pipeline<Capability> | Middleware,
  event: cff.CffEvent | le.LeEvent,
  options: RunOptions = {},
): Promise<Outcome> {
  const pipeline = isPipeline(pipelineOrMiddleware) ? pipelineOrMiddleware : new Pipeline([pipelineOrMiddleware as Middleware]);
  const lambda = isLambdaEvent(event);
  const target = options.target ?? (lambda ? 'lambda' : 'cloudfront-js-2.0');
  const plan = planPipeline(pipeline, target);
  if (!plan.ok) {
    const lines = plan.violations.map((v) => `- ${v.middleware} needs ${v.capability}: ${v.why}; fix: ${v.fix}`);
    throw new EdgelineError(CODES.rejected, `the pipeline cannot run on ${target}:\n${lines.join('\n')}`);
  }
  if (options.portable !== false) {
    for (const p of plan.placements) {
      if (p.middleware.request) hookSource(p.middleware.name, 'request', p.middleware.request);
      if (p.middleware.response) hookSource(p.middleware.name, 'response', p.middleware.response);
    }
  }
  const eventType = eventTypeOf(event);
  const stub = cloudfrontStub(options.kvs);
  const guards: cff.AdapterOptions = options.guard === false
    ? { cf: stub }
    : { request: headerGuard(eventType, 'request'), response: headerGuard(eventType, 'response'), cf: stub };
  const raw = isRequestEvent(eventType)
    ? await requestPhase(plan.placements, eventType, lambda, event, guards)
    : await responsePhase(plan.placements, eventType, lambda, event, guards);
  const outcome = toOutcome(eventType, raw);
  if (outcome.kind === 'forward' && stub.origin) outcome.origin = stub.origin;
  return outcome;
}

async function requestPhase(
  placements: Placement[], eventType: RequestEventType, lambda: boolean, event: cff.CffEvent | le.LeEvent, guards: cff.AdapterOptions | undefined,
): Promise<unknown> {
  const ctx = lambda ? le.leRequestContext(event as le.LeEvent, guards) : cff.cffRequestContext(event as cff.CffEvent, guards);
  for (const p of placements) {
    if (p.request !== eventType) continue;
    const answer = await p.middleware.request!(ctx, p.middleware.config);
    if (answer) return answerThrough(placements, p.index, eventType, lambda, ctx, answer, guards);
  }
  return lambda ? le.leForward(ctx, event as le.LeEvent) : cff.cffForward(ctx, event as cff.CffEvent);
}

async function answerThrough(
  placements: Placement[], index: number, eventType: RequestEventType, lambda: boolean,
  ctx: RequestContext, answer: Answer, guards: cff.AdapterOptions | undefined,
): Promise<unknown> {
  const answerGuards = guards && guards.request
    ? { request: guards.request, cf: guards.cf, response: headerGuard(eventType === 'origin-request' ? 'origin-response' : 'viewer-response', 'response') }
    : guards;
  const raw = lambda ? le.leAnswer(answer, answerGuards) : cff.cffAnswer(answer, answerGuards);
  const r = lambda
    ? le.leAnswerContext(ctx, raw as le.LeResponse, eventType, answerGuards)
    : cff.cffAnswerContext(ctx, raw as cff.CffResponse, answerGuards);
  for (let i = index - 1; i >= 0; i--) {
    const p = placements[i];
    if (p.response && (eventType === 'viewer-request' || p.response === 'origin-response')) {
      await p.middleware.response!(r, p.middleware.config);
    }
  }
  return lambda ? le.leResponse(r, raw as le.LeResponse) : cff.cffResponse(r, raw as cff.CffResponse);
}

async function responsePhase(
  placements: Placement[], eventType: EventType, lambda: boolean, event: cff.CffEvent | le.LeEvent, guards: cff.AdapterOptions | undefined,
): Promise<unknown> {
  const ctx: ResponseContext = lambda ? le.leResponseContext(event as le.LeEvent, guards) : cff.cffResponseContext(event as cff.CffEvent, guards);
  for (let i = placements.length - 1; i >= 0; i--) {
    const p = placements[i];
    if (p.response === eventType) await p.middleware.response!(ctx, p.middleware.config);
  }
  return lambda
    ? le.leResponse(ctx, le.leEventResponse(event as le.LeEvent))
    : cff.cffResponse(ctx, (event as cff.CffEvent).response as cff.CffResponse);
}
