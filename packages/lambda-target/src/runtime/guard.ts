/**
 * The last layer of every Lambda@Edge artifact: it wraps the handler emitted by core and is what
 * the artifact exports. esbuild bundles this file into each artifact as it is, so it imports
 * nothing at run time and stays small.
 *
 * An exception that reaches Lambda@Edge, or a function that runs into its timeout, makes
 * CloudFront answer 502/503 with nothing in our logs; the guard turns both into an answer and a
 * log line with the request id instead.
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-edge-testing-debugging.html
 */
import type { LeEvent, LeResponse } from '@edgeline/core/runtime';

/** Written into the artifact as a literal: decided at build time, read once at module load. */
export interface GuardOptions {
  eventType: string;
  /**
   * How long the hooks may take before the handler answers without them, in ms; 0 for no
   * deadline. Only hooks that await can be cut short (a timer cannot fire during synchronous
   * work), so the build sets 0 when no hook of the artifact awaits anything.
   */
  deadlineMs: number;
  /** Time kept free before Lambda's own timeout, when the context tells how much is left. */
  marginMs: number;
  /**
   * The handler never returns a promise (no hook awaits): the guard then has no `await`, which
   * costs V8 ~20 ns per call even on a path that does not take it.
   */
  sync?: boolean;
}

/** The part of Lambda's context object the guard reads. */
export interface GuardContext {
  awsRequestId?: string;
  getRemainingTimeInMillis?: () => number;
}

export type LambdaHandler = (event: LeEvent, context?: GuardContext) => Promise<unknown>;
/** The emitted handler: synchronous when no hook awaits anything. */
export type EmittedHandler = (event: LeEvent, context?: GuardContext) => unknown;

const LATE = {};

/**
 * Returns the handler Lambda@Edge calls: `async (event, context)`, which never throws.
 * @example exports.handler = guard(handler, { eventType: 'viewer-request', deadlineMs: 4500, marginMs: 500 });
 */
export function guard(run: EmittedHandler, options: GuardOptions): LambdaHandler {
  if (options.sync && !(options.deadlineMs > 0)) return guardSync(run, options);
  const isRequest = isRequestEvent(options);
  const timed = options.deadlineMs > 0;
  return async (event, context) => {
    try {
      if (!timed) {
        const result = run(event, context);
        return isThenable(result) ? await result : result;
      }
      // The emitted handler changes the event's response in place: keep what came in, to give it back untouched on timeout.
      const before = isRequest ? undefined : copyResponse(responseOf(event));
      const ms = deadlineOf(options, context);
      const result = await withDeadline(Promise.resolve(run(event, context)), ms);
      if (result !== LATE) return result;
      log('deadline exceeded', options, event, context, 'the hooks did not finish within ' + ms + ' ms');
      return isRequest ? answer('504', 'Gateway Timeout') : before || answer('502', 'Bad Gateway');
    } catch (e) {
      return failed(e, event, context, options);
    }
  };
}

/**
 * guard for a handler that never returns a promise: no `await` (an async function with one
 * costs V8 ~20 ns per call, taken or not) and no deadline code, so the bundle that imports only
 * this is smaller and loads faster.
 */
export function guardSync(run: EmittedHandler, options: GuardOptions): LambdaHandler {
  return async (event, context) => {
    try {
      return run(event, context);
    } catch (e) {
      return failed(e, event, context, options);
    }
  };
}

function isRequestEvent(options: GuardOptions): boolean {
  return options.eventType === 'viewer-request' || options.eventType === 'origin-request';
}

/** An exception the emitted handler let through (a malformed event, a bug): logged, and an answer instead. */
function failed(e: unknown, event: LeEvent, context: GuardContext | undefined, options: GuardOptions): unknown {
  log('handler error', options, event, context, e);
  const response = isRequestEvent(options) ? undefined : responseOf(event);
  return response || answer('502', 'Bad Gateway');
}

function deadlineOf(options: GuardOptions, context: GuardContext | undefined): number {
  let ms = options.deadlineMs;
  if (context && typeof context.getRemainingTimeInMillis === 'function') {
    const left = context.getRemainingTimeInMillis() - options.marginMs;
    if (left < ms) ms = left > 0 ? left : 0;
  }
  return ms;
}

function withDeadline(work: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise((resolve) => {
    timer = setTimeout(resolve, ms, LATE);
  });
  // race() also handles a rejection of `work` that comes after the deadline.
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

function answer(status: string, statusDescription: string): LeResponse {
  return { status: status, statusDescription: statusDescription, headers: {} };
}

function responseOf(event: LeEvent): LeResponse | undefined {
  try {
    return event.Records[0].cf.response;
  } catch (e) {
    return undefined;
  }
}

/** Header lists are changed in place (append) and replaced (set): copy both levels. */
function copyResponse(response: LeResponse | undefined): LeResponse | undefined {
  if (!response) return undefined;
  const headers: LeResponse['headers'] = {};
  for (const name in response.headers) headers[name] = response.headers[name].map((h) => ({ ...h }));
  return { ...response, headers: headers };
}

/** One JSON line for CloudWatch, as the emitted handler logs hook errors. Logging must not throw either. */
function log(what: string, options: GuardOptions, event: LeEvent, context: GuardContext | undefined, error: unknown): void {
  try {
    let requestId: string | undefined;
    try {
      requestId = event.Records[0].cf.config.requestId;
    } catch (e) {
      requestId = undefined;
    }
    const detail = error instanceof Error ? String(error.stack || error) : String(error);
    console.error(JSON.stringify({
      edgeline: what, eventType: options.eventType, requestId: requestId, awsRequestId: context && context.awsRequestId, error: detail,
    }));
  } catch (e) {
    // Nothing left to do: the answer matters more than the log line.
  }
}

function isThenable(value: unknown): value is Promise<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
