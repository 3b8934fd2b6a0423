import type {
  Answer, CustomOrigin, EdgeRequest, EdgeResponse, HeaderMap, Origin, RequestContext, ResponseContext, Viewer,
} from '../context.js';
import { redirect, respond } from './answer.js';
import { COOKIES, HEADERS, QUERY, rawUntilChanged, valueMap, type CfValues, type ChangeGuard, type ValueMap } from './value-map.js';

/**
 * Adapters between the CloudFront Functions event and the context hooks see.
 * This file is bundled into every CloudFront Function: keep it small and ES5-friendly.
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-event-structure.html
 */
export interface CffRequest {
  method: string;
  uri: string;
  querystring: CfValues;
  headers: CfValues;
  cookies: CfValues;
  /**
   * cloudfront-js-2.0 (viewer-request): the query string as the viewer sent it, without the
   * `?`; `''` for a bare `?`, `undefined` for none. A method of the runtime's request object,
   * not part of the event's JSON (the fixtures define it non-enumerable: rawQueryOf).
   * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/general-helper-methods.html
   */
  rawQueryString?(): string | undefined;
}
export interface CffResponse {
  statusCode: number;
  statusDescription?: string;
  headers: CfValues;
  cookies?: Record<string, { value: string; attributes?: string; multiValue?: { value: string; attributes?: string }[] }>;
  body?: { encoding: 'text' | 'base64'; data: string } | string;
}
export interface CffEvent {
  version: string;
  context: { eventType: string; distributionDomainName?: string; distributionId?: string; requestId?: string };
  viewer: { ip: string };
  request: CffRequest;
  response?: CffResponse;
}

/** The runtime 2.0 `cloudfront` module, as far as hooks use it. */
export interface CloudFrontModule {
  updateRequestOrigin(params: Record<string, unknown>): void;
  kvs(): { get(key: string, options?: { format?: string }): Promise<string> };
}

/**
 * Header guards and a `cloudfront` module for tests and emulators. Artifacts pass none: they
 * rely on CloudFront's own checks and on `import cf from 'cloudfront'`.
 */
export interface AdapterOptions {
  request?: ChangeGuard;
  response?: ChangeGuard;
  cf?: CloudFrontModule;
}

/**
 * The request as hooks see it. Every property costs about 450 instructions per request in
 * njs, so only those an artifact's hooks read are built (features.ts); `uri` is written back
 * by cffForward.
 */
function requestView(raw: CffRequest, g: AdapterOptions | undefined): EdgeRequest {
  // A delete may make the map rebuild its object in order (value-map.ts): it is written back here.
  const deletes = typeof __EDGE_DELETE__ === 'undefined' || __EDGE_DELETE__;
  const view = { method: raw.method, uri: raw.uri } as Partial<EdgeRequest> as { -readonly [K in keyof EdgeRequest]: EdgeRequest[K] };
  if (typeof __EDGE_HEADERS__ === 'undefined' || __EDGE_HEADERS__) view.headers = valueMap(raw.headers || (raw.headers = {}), HEADERS, g && g.request);
  if (typeof __EDGE_QUERY__ === 'undefined' || __EDGE_QUERY__) {
    // setString gives the map a new object too: written back the same way.
    const replaces = typeof __EDGE_SET_STRING__ === 'undefined' || __EDGE_SET_STRING__;
    view.querystring = valueMap(raw.querystring || (raw.querystring = {}), QUERY, undefined, deletes || replaces ? function (q) {
      raw.querystring = q;
    } : undefined);
    // cloudfront-js-2.0 has the query string as sent: toString() gives it until a hook changes
    // the map, as on Lambda@Edge (1.0 has no such method: the build leaves this out there).
    if ((typeof __EDGE_RAW_QUERY__ === 'undefined' || __EDGE_RAW_QUERY__) && (typeof __EDGE_TO_STRING__ === 'undefined' || __EDGE_TO_STRING__) && typeof raw.rawQueryString === 'function') {
      rawUntilChanged(view.querystring as ValueMap, raw.rawQueryString() || '');
    }
  }
  if (typeof __EDGE_COOKIES__ === 'undefined' || __EDGE_COOKIES__) {
    view.cookies = valueMap(raw.cookies || (raw.cookies = {}), COOKIES, undefined, deletes ? function (c) {
      raw.cookies = c;
    } : undefined);
  }
  return view;
}

/**
 * What `request.rawQueryString()` gives on cloudfront-js-2.0 for this request: the request's own
 * method where it has one (CloudFront's request, a fixture of `@edgeline/core/testing`), else the
 * text its `querystring` object stands for (names in the object's order, each name's values
 * together, `a` for `a=`), `undefined` when it has no parameter. The runners (runPipeline, the vm
 * emulator, njs) give a 2.0 viewer-request event this as its method; not bundled into artifacts.
 */
export function rawQueryOf(request: CffRequest): string | undefined {
  if (typeof request.rawQueryString === 'function') return request.rawQueryString();
  const q = request.querystring || {};
  for (const k in q) if (Object.prototype.hasOwnProperty.call(q, k)) return valueMap(q, QUERY).toString();
  return undefined;
}

function viewerOf(event: CffEvent): Viewer {
  const h = event.request.headers && event.request.headers['cloudfront-viewer-country'];
  return { ip: event.viewer ? event.viewer.ip : '', country: h ? h.value : undefined };
}

/** The context parts both phases share, each only if a hook reads it. */
function base(ctx: object, event: CffEvent, eventType: string): void {
  const c = ctx as Record<string, unknown>;
  if (typeof __EDGE_VIEWER__ === 'undefined' || __EDGE_VIEWER__) c.viewer = viewerOf(event);
  if (typeof __EDGE_EVENT_TYPE__ === 'undefined' || __EDGE_EVENT_TYPE__) c.eventType = eventType;
  if (typeof __EDGE_REQUEST_ID__ === 'undefined' || __EDGE_REQUEST_ID__) c.requestId = event.context ? event.context.requestId : undefined;
  if (typeof __EDGE_RESPOND__ === 'undefined' || __EDGE_RESPOND__) c.respond = respond;
  if (typeof __EDGE_REDIRECT__ === 'undefined' || __EDGE_REDIRECT__) c.redirect = redirect;
}

export function cffRequestContext(event: CffEvent, g?: AdapterOptions): RequestContext {
  const ctx: Partial<RequestContext> = { request: requestView(event.request, g) };
  base(ctx, event, 'viewer-request');
  if (typeof __EDGE_ORIGIN__ === 'undefined' || __EDGE_ORIGIN__) {
    ctx.setOrigin = function (origin: Origin) {
      cfModule(g).updateRequestOrigin(cffOriginParams(origin));
    };
  }
  if (typeof __EDGE_KVS__ === 'undefined' || __EDGE_KVS__) {
    ctx.kvs = function (key: string) {
      return cfModule(g).kvs().get(key).then(undefined, function () {
        return undefined;
      });
    };
  }
  return ctx as RequestContext;
}

/** The request to hand back to CloudFront: the event's own object, with the uri written back (and query string and cookies in order: value-map.ts). */
export function cffForward(ctx: RequestContext, event: CffEvent): CffRequest {
  event.request.uri = ctx.request.uri;
  if ((typeof __EDGE_DELETE__ === 'undefined' || __EDGE_DELETE__) && (typeof __EDGE_QUERY__ === 'undefined' || __EDGE_QUERY__)) (ctx.request.querystring as ValueMap).ordered();
  // A query string set as text goes back as text (CloudFront takes a string, as in its
  // normalize-query-string sample), in the order written: the object's order is njs's.
  if ((typeof __EDGE_SET_STRING__ === 'undefined' || __EDGE_SET_STRING__) && (typeof __EDGE_QUERY__ === 'undefined' || __EDGE_QUERY__)) {
    const q = ctx.request.querystring as ValueMap;
    if (q.replaced && !q.dirty) (event.request as { querystring: unknown }).querystring = q.raw;
  }
  if ((typeof __EDGE_DELETE__ === 'undefined' || __EDGE_DELETE__) && (typeof __EDGE_COOKIES__ === 'undefined' || __EDGE_COOKIES__)) (ctx.request.cookies as ValueMap).ordered();
  return event.request;
}

function responseView(raw: CffResponse, g: AdapterOptions | undefined): EdgeResponse {
  const headers = valueMap(raw.headers || (raw.headers = {}), HEADERS, g && g.response);
  const view = { status: raw.statusCode } as { -readonly [K in keyof EdgeResponse]: EdgeResponse[K] };
  view.headers = typeof __EDGE_SET_COOKIE__ === 'undefined' || __EDGE_SET_COOKIE__ ? cffResponseHeaders(headers, raw.cookies || (raw.cookies = {})) : headers;
  if (typeof __EDGE_STATUS_TEXT__ === 'undefined' || __EDGE_STATUS_TEXT__) view.statusDescription = raw.statusDescription;
  return view;
}

export function cffResponseContext(event: CffEvent, g?: AdapterOptions): ResponseContext {
  const ctx: Partial<ResponseContext> = { response: responseView(event.response as CffResponse, g) };
  if (typeof __EDGE_REQUEST__ === 'undefined' || __EDGE_REQUEST__) (ctx as { request: EdgeRequest }).request = requestView(event.request, g);
  base(ctx, event, 'viewer-response');
  return ctx as ResponseContext;
}

/** The response to hand back: the event's own object (or an answer's), status written back. */
export function cffResponse(ctx: ResponseContext, raw: CffResponse): CffResponse {
  const view = ctx.response;
  raw.statusCode = view.status;
  if ((typeof __EDGE_STATUS_TEXT__ === 'undefined' || __EDGE_STATUS_TEXT__) && view.statusDescription !== undefined) raw.statusDescription = view.statusDescription;
  return raw;
}

/** An answer as CloudFront Functions want it. */
export function cffAnswer(answer: Answer, g?: AdapterOptions): CffResponse {
  const raw = { statusCode: answer.status, headers: {} } as CffResponse;
  if (answer.statusDescription) raw.statusDescription = answer.statusDescription;
  if (answer.location !== undefined) {
    if (g && g.response) g.response('location', answer.location);
    raw.headers.location = { value: answer.location };
  }
  const h = answer.headers;
  if (h) for (const name in h) addAnswerHeader(raw, name, h[name], g);
  if (answer.body !== undefined) raw.body = { encoding: 'text', data: answer.body };
  return raw;
}

/**
 * A context over an answer, for the response hooks of the middleware before the one that
 * answered; cffResponse(ctx, raw) then gives the response.
 */
export function cffAnswerContext(ctx: RequestContext, raw: CffResponse, g?: AdapterOptions): ResponseContext {
  const r: Partial<ResponseContext> = { response: responseView(raw, g) };
  const c = r as Record<string, unknown>;
  const from = ctx as unknown as Record<string, unknown>;
  for (const k in from) if (k !== 'setOrigin' && k !== 'kvs') c[k] = from[k];
  if (c.eventType) c.eventType = 'viewer-response';
  return r as ResponseContext;
}

/**
 * CloudFront Functions keep Set-Cookie in `response.cookies`, not in headers:
 * this view routes `set-cookie` there so hooks use one header API on both targets.
 */
export function cffResponseHeaders(h: ValueMap, c: NonNullable<CffResponse['cookies']>): HeaderMap {
  function all(): string[] {
    const out: string[] = [];
    for (const k in c) {
      const e = c[k];
      const l = e.multiValue && e.multiValue.length ? e.multiValue : [e];
      for (let i = 0; i < l.length; i++) out.push(k + '=' + l[i].value + (l[i].attributes ? '; ' + l[i].attributes : ''));
    }
    return out;
  }
  function append(name: string, value: string): void {
    if (!isSetCookie(name)) return h.append(name, value);
    if (h.g) h.g(name, value);
    appendCookie(c, value);
  }
  // Only the methods an artifact's hooks call (features.ts).
  const view = {} as { -readonly [K in keyof HeaderMap]: HeaderMap[K] };
  if (typeof __EDGE_GET__ === 'undefined' || __EDGE_GET__) {
    view.get = function (name) {
      return isSetCookie(name) ? all()[0] : h.get(name);
    };
  }
  if (typeof __EDGE_GET_ALL__ === 'undefined' || __EDGE_GET_ALL__) {
    view.getAll = function (name) {
      return isSetCookie(name) ? all() : h.getAll(name);
    };
  }
  if (typeof __EDGE_HAS__ === 'undefined' || __EDGE_HAS__) {
    view.has = function (name) {
      return isSetCookie(name) ? all().length > 0 : h.has(name);
    };
  }
  if (typeof __EDGE_SET__ === 'undefined' || __EDGE_SET__) {
    view.set = function (name, value) {
      if (!isSetCookie(name)) return h.set(name, value);
      clear(c);
      append(name, value);
    };
  }
  if (typeof __EDGE_APPEND__ === 'undefined' || __EDGE_APPEND__) view.append = append;
  if (typeof __EDGE_DELETE__ === 'undefined' || __EDGE_DELETE__) {
    view.delete = function (name) {
      if (!isSetCookie(name)) return h.delete(name);
      if (h.g) h.g(name, undefined);
      clear(c);
    };
  }
  if (typeof __EDGE_NAMES__ === 'undefined' || __EDGE_NAMES__) {
    view.names = function () {
      const n = h.names();
      if (all().length) n.push('set-cookie');
      return n;
    };
  }
  return view;
}

/** Answer headers go in directly (an artifact may have no map methods); Set-Cookie into cookies. */
function addAnswerHeader(raw: CffResponse, name: string, value: string, g: AdapterOptions | undefined): void {
  if (g && g.response) g.response(name, value);
  const lower = name.toLowerCase();
  if ((typeof __EDGE_SET_COOKIE__ === 'undefined' || __EDGE_SET_COOKIE__) && lower === 'set-cookie') {
    return appendCookie(raw.cookies || (raw.cookies = {}), value);
  }
  raw.headers[lower] = { value: value };
}

/** Parses one Set-Cookie value into the CloudFront Functions `cookies` shape, keeping repeats. */
function appendCookie(c: NonNullable<CffResponse['cookies']>, value: string): void {
  const semi = value.indexOf(';');
  const pair = semi < 0 ? value : value.slice(0, semi);
  const eq = pair.indexOf('=');
  const k = (eq < 0 ? pair : pair.slice(0, eq)).trim();
  const v: { value: string; attributes?: string } = { value: eq < 0 ? '' : pair.slice(eq + 1).trim() };
  if (semi >= 0) v.attributes = value.slice(semi + 1).trim();
  const e = c[k];
  // Never through the prototype (`__proto__`): that would change every object of the script.
  if (!e || e.value === undefined) {
    c[k] = v;
    return;
  }
  if (!e.multiValue || !e.multiValue.length) e.multiValue = [e.attributes ? { value: e.value, attributes: e.attributes } : { value: e.value }];
  e.multiValue.push(v);
}

function isSetCookie(name: string): boolean {
  return name.toLowerCase() === 'set-cookie';
}

function clear<T extends object>(o: T): T {
  for (const k in o) delete o[k];
  return o;
}

/** Bound by `import cf from 'cloudfront'`, which the cf target adds on cloudfront-js-2.0. */
declare const cf: CloudFrontModule | undefined;

function cfModule(g: AdapterOptions | undefined): CloudFrontModule {
  if (g && g.cf) return g.cf;
  if (typeof cf === 'undefined') throw new Error('the cloudfront module needs runtime cloudfront-js-2.0');
  return cf;
}

/**
 * The `cf.updateRequestOrigin` parameters for an origin, the same origin Lambda@Edge gets from
 * runtime/lambda.ts applyOrigin. An S3 origin is signed with Origin Access Control (SigV4 for the
 * bucket's region, which OAC needs); a custom origin is sent unsigned (OAC explicitly off, so the
 * distribution origin's OAC does not carry over) over `protocol` (https by default) to `port`
 * (443 or 80), as on Lambda@Edge.
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/helper-functions-origin-modification.html
 */
export function cffOriginParams(origin: Origin): Record<string, unknown> {
  let p: Record<string, unknown>;
  let path: string | undefined;
  if ('s3' in origin) {
    p = {
      domainName: origin.s3.bucket + '.s3.' + origin.s3.region + '.amazonaws.com',
      originAccessControlConfig: { enabled: true, region: origin.s3.region, signingBehavior: 'always', signingProtocol: 'sigv4', originType: 's3' },
    };
    path = origin.s3.path;
  } else {
    const c = (origin as CustomOrigin).custom;
    const protocol = c.protocol || 'https';
    p = {
      domainName: c.domainName,
      customOriginConfig: { port: c.port || (protocol === 'https' ? 443 : 80), protocol: protocol, sslProtocols: ['TLSv1.2'] },
      originAccessControlConfig: { enabled: false },
    };
    path = c.path;
  }
  if (path) p.originPath = path;
  return p;
}
