import type { Capability, RequestEventType, ResponseEventType } from './capability.js';
import { DefinitionError } from './errors.js';
import { CAPABILITIES, isCapability } from './capability.js';
import type { CfRuntime } from './target.js';
import type { AnswerInit, RequestContext, RequestHookResult, ResponseContext } from './context.js';

/** Plain data a middleware's factory computed; inlined as a literal into every artifact. */
export type Config = null | boolean | number | string | readonly Config[] | { readonly [key: string]: Config | undefined };

export type RequestHook<C> = (ctx: RequestContext, config: C) => RequestHookResult | Promise<RequestHookResult>;
export type ResponseHook<C> = (ctx: ResponseContext, config: C) => void | Promise<void>;

/**
 * A middleware's hooks written by hand for the CloudFront Functions event shape: source text of
 * ES5 function expressions that work on the event objects themselves, no context in between.
 * - `request(request, event)`: returns what a CloudFront Function returns: `request` to go on,
 *   or a response object (`{ statusCode, headers, ... }`) to answer.
 * - `response(response, request)`: changes `response` in place.
 * They must behave as `request`/`response` do; the njs equivalence tests hold them to it.
 */
export interface DirectHooks {
  request?: string;
  response?: string;
  /**
   * The code cannot throw on any event CloudFront sends (no parsing, no call that throws): it
   * runs without a try/catch around it, and a lone hook becomes the handler's body. Per hook
   * (`{ request: true }`) where only one of them is.
   */
  safe?: boolean | { request?: boolean; response?: boolean };
  /**
   * Values the sources name as free variables (`SECTIONS[first]`), declared once at the top of
   * the script as a hand-written function declares its tables, not rebuilt per call. Each gets
   * a name of its own in the artifact, so two instances of a middleware do not clash.
   */
  constants?: Record<string, Config>;
  /**
   * As `constants`, built as a `Set` of the strings (Lambda@Edge only: CloudFront Functions 1.0
   * has no Set). V8 looks a fresh string up in a Set faster than as an object key.
   */
  sets?: Record<string, readonly string[]>;
  /**
   * Functions the sources call by name (`function (o) { ... }` each), declared once at the top
   * of the script; two middleware that give the same name must give the same code.
   */
  helpers?: Record<string, string>;
}

export interface MiddlewareDefinition<N extends Capability, C extends Config> {
  /** Shown in build errors and manifests. */
  name: string;
  /** Every capability the hooks use; an event type here means the hook must run there. */
  needs: readonly N[];
  /** Options after validation: plain data the hooks receive as their second argument. */
  config?: C;
  /**
   * Runs in pipeline order before the origin is asked; return `ctx.respond(...)` to answer early.
   * Hooks are lowered into edge artifacts as source text: they may use `ctx`, `config`, globals and
   * `require`, but no variable from an enclosing scope.
   */
  request?: RequestHook<C>;
  /** Runs in reverse pipeline order on the response (onion order). Same rules as `request`. */
  response?: ResponseHook<C>;
  /** Where each hook prefers to run, first choice first; the target picks the first it offers. */
  runsAt?: { request?: readonly RequestEventType[]; response?: readonly ResponseEventType[] };
  /** The answer when a request hook throws (auth middleware deny: 401/403). Default: 502. */
  onError?: AnswerInit;
  /** Risks the options accept but the user should know of: `edge build` prints each, naming the middleware. */
  warnings?: readonly string[];
  /**
   * Hand-written CloudFront Functions code for these hooks, given the config (see DirectHooks);
   * `undefined` for a config it does not cover. An artifact uses it when every hook in it has
   * one: per request the cost of a context (objects, closures, calls) is most of a small
   * function's budget.
   */
  direct?: {
    cff?: (config: C, runtime: CfRuntime) => DirectHooks | undefined;
    /** The same for the Lambda@Edge event shape: `request` and `response` of `event.Records[0].cf`. */
    lambda?: (config: C) => DirectHooks | undefined;
  };
}

/** A middleware: what a pipeline composes. `N` is the union of capabilities it needs. */
export interface Middleware<N extends Capability = Capability> {
  readonly kind: 'middleware';
  readonly name: string;
  readonly needs: readonly N[];
  readonly config: Config;
  readonly request: RequestHook<any> | undefined;
  readonly response: ResponseHook<any> | undefined;
  readonly runsAt: { request: readonly RequestEventType[]; response: readonly ResponseEventType[] };
  readonly onError: AnswerInit | undefined;
  /** Printed by `edge build` (see MiddlewareDefinition.warnings); absent on middleware made without defineMiddleware. */
  readonly warnings?: readonly string[];
  readonly direct: {
    readonly cff?: (config: any, runtime: CfRuntime) => DirectHooks | undefined;
    readonly lambda?: (config: any) => DirectHooks | undefined;
  };
}

const DEFAULT_REQUEST: readonly RequestEventType[] = ['viewer-request'];
const DEFAULT_RESPONSE: readonly ResponseEventType[] = ['viewer-response'];

/**
 * Defines a middleware.
 * @example
 * const poweredBy = defineMiddleware({
 *   name: 'poweredBy', needs: [], config: { value: 'edgeline' },
 *   response(ctx, config) { ctx.response.headers.set('x-powered-by', config.value) },
 * });
 */
export function defineMiddleware<const N extends Capability = never, const C extends Config = null>(
  definition: MiddlewareDefinition<N, C>,
): Middleware<N> {
  checkDefinition(definition as unknown as Record<string, unknown>);
  return Object.freeze({
    kind: 'middleware' as const,
    name: definition.name,
    needs: Object.freeze([...definition.needs]),
    config: definition.config === undefined ? null : definition.config,
    request: definition.request,
    response: definition.response,
    runsAt: {
      request: definition.runsAt?.request ?? DEFAULT_REQUEST,
      response: definition.runsAt?.response ?? DEFAULT_RESPONSE,
    },
    onError: definition.onError,
    warnings: Object.freeze([...(definition.warnings ?? [])]),
    direct: Object.freeze({ ...definition.direct }),
  });
}

/**
 * What TypeScript checks for a typed caller, checked again for one in plain JavaScript: a missing
 * `needs` or a misspelled hook would otherwise surface as a TypeError deep in a build.
 */
function checkDefinition(d: Record<string, unknown>): void {
  if (typeof d !== 'object' || d === null) throw new DefinitionError('?', 'definition', `expected an object { name, needs, request?, response? }, got ${d === null ? 'null' : typeof d}`);
  const name = typeof d.name === 'string' && d.name ? d.name : undefined;
  if (!name) throw new DefinitionError('?', 'name', `expected a non-empty string, got ${JSON.stringify(d.name) ?? String(d.name)}`);
  if (!Array.isArray(d.needs)) throw new DefinitionError(name, 'needs', "expected the list of capabilities the hooks use ([] when they use none), e.g. needs: ['crypto:hash']");
  for (const need of d.needs as unknown[]) {
    if (typeof need !== 'string' || !isCapability(need)) throw new DefinitionError(name, 'needs', `${JSON.stringify(need)} is not a capability (one of ${CAPABILITIES.join(', ')})`);
  }
  for (const hook of ['request', 'response'] as const) {
    if (d[hook] !== undefined && typeof d[hook] !== 'function') throw new DefinitionError(name, hook, `expected a function (ctx, config) => ..., got ${typeof d[hook]}`);
  }
  if (d.request === undefined && d.response === undefined) throw new DefinitionError(name, 'request', 'a middleware needs a request or a response hook');
}

/** Whether `value` is a middleware made by defineMiddleware (or a built-in). */
export function isMiddleware(value: unknown): value is Middleware {
  return typeof value === 'object' && value !== null && (value as Middleware).kind === 'middleware';
}
