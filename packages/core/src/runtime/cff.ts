import type {
  Answer, CustomOrigin, EdgeRequest, EdgeResponse, HeaderMap, Origin, RequestContext, ResponseContext,
} from '../context.js';
import { redirect, respond } from './answer.js';
import { COOKIES, HEADERS, QUERY, valueMap, type CfValues, type ChangeGuard, type ValueMap } from './value-map.js';

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
}
export interface CffResponse {
  statusCode: number;
  statusDescription?: string;
  headers: CfValues;
  cookies: Record<string, { value: string; attributes?: string; multiValue?: { value: string; attributes?: string }[] }>;
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

interface CffRequestView extends EdgeRequest {
  raw: CffRequest;
}

function requestView(raw: CffRequest, g: AdapterOptions | undefined): CffRequestView {
  return {
    raw: raw,
    method: raw.method,
    uri: raw.uri,
    // Only the maps an artifact's hooks touch are built (features.ts).
    querystring: typeof __EDGE_QUERY__ === 'undefined' || __EDGE_QUERY__ ? valueMap(raw.querystring || (raw.querystring = {}), QUERY) : (undefined as never),
    headers: valueMap(raw.headers || (raw.headers = {}), HEADERS, g && g.request),
    cookies: typeof __EDGE_COOKIES__ === 'undefined' || __EDGE_COOKIES__ ? valueMap(raw.cookies || (raw.cookies = {}), COOKIES) : (undefined as never),
    body: undefined,
  };
}

function country(raw: CffRequest): string | undefined {
  const h = raw.headers && raw.headers['cloudfront-viewer-country'];
  return h ? h.value : undefined;
}

export function cffRequestContext(event: CffEvent, g?: AdapterOptions): RequestContext {
  const raw = event.request;
  const ctx = {
    eventType: 'viewer-request',
    request: requestView(raw, g),
    viewer: { ip: event.viewer ? event.viewer.ip : '', country: country(raw) },
    requestId: event.context ? event.context.requestId : undefined,
    respond: respond,
    redirect: redirect,
  } as Partial<RequestContext> as RequestContext;
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
  return ctx;
}

/** The request to hand back to CloudFront (the event's own object, with the uri written back). */
export function cffForward(ctx: RequestContext): CffRequest {
  const view = ctx.request as CffRequestView;
  view.raw.uri = view.uri;
  return view.raw;
}

export function cffResponseContext(event: CffEvent, g?: AdapterOptions): ResponseContext {
  const raw = event.request;
  const res = event.response as CffResponse;
  return {
    eventType: 'viewer-response',
    request: requestView(raw, g),
    response: responseView(res, g),
    viewer: { ip: event.viewer ? event.viewer.ip : '', country: country(raw) },
    requestId: event.context ? event.context.requestId : undefined,
    respond: respond,
    redirect: redirect,
  };
}

interface CffResponseView extends EdgeResponse {
  raw: CffResponse;
}

function responseView(raw: CffResponse, g: AdapterOptions | undefined): CffResponseView {
  const headers = valueMap(raw.headers || (raw.headers = {}), HEADERS, g && g.response);
  return {
    raw: raw,
    status: raw.statusCode,
    statusDescription: raw.statusDescription,
    headers: typeof __EDGE_SET_COOKIE__ === 'undefined' || __EDGE_SET_COOKIE__ ? cffResponseHeaders(headers, raw.cookies || (raw.cookies = {})) : headers,
  };
}

/** The response to hand back to CloudFront. */
export function cffResponse(ctx: ResponseContext): CffResponse {
  const view = ctx.response as CffResponseView;
  view.raw.statusCode = view.status;
  if (view.statusDescription !== undefined) view.raw.statusDescription = view.statusDescription;
  return view.raw;
}

/** A context over the answer a request hook gave, for the response hooks of the middleware before it. */
export function cffAnswerContext(ctx: RequestContext, answer: Answer, g?: AdapterOptions): ResponseContext {
  const raw: CffResponse = { statusCode: answer.status, headers: {}, cookies: {} };
  if (answer.statusDescription) raw.statusDescription = answer.statusDescription;
  if (answer.body !== undefined) raw.body = { encoding: 'text', data: answer.body };
  const view = responseView(raw, g);
  for (const name in answer.headers) addAnswerHeader(view.headers, raw, name, answer.headers[name], g);
  return {
    eventType: 'viewer-response',
    request: ctx.request,
    response: view,
    viewer: ctx.viewer,
    requestId: ctx.requestId,
    respond: respond,
    redirect: redirect,
  };
}

/**
 * CloudFront Functions keep Set-Cookie in `response.cookies`, not in headers:
 * this view routes `set-cookie` there so hooks use one header API on both targets.
 */
export function cffResponseHeaders(h: ValueMap, c: CffResponse['cookies']): HeaderMap {
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
    const semi = value.indexOf(';');
    const pair = semi < 0 ? value : value.slice(0, semi);
    const eq = pair.indexOf('=');
    const k = (eq < 0 ? pair : pair.slice(0, eq)).trim();
    const v: { value: string; attributes?: string } = { value: eq < 0 ? '' : pair.slice(eq + 1).trim() };
    if (semi >= 0) v.attributes = value.slice(semi + 1).trim();
    const e = c[k];
    if (!e) {
      c[k] = v;
      return;
    }
    if (!e.multiValue || !e.multiValue.length) e.multiValue = [e.attributes ? { value: e.value, attributes: e.attributes } : { value: e.value }];
    e.multiValue.push(v);
  }
  return {
    get: function (name) {
      return isSetCookie(name) ? all()[0] : h.get(name);
    },
    getAll: function (name) {
      return isSetCookie(name) ? all() : h.getAll(name);
    },
    has: function (name) {
      return isSetCookie(name) ? all().length > 0 : h.has(name);
    },
    set: function (name, value) {
      if (!isSetCookie(name)) return h.set(name, value);
      clear(c);
      append(name, value);
    },
    append: append,
    delete: function (name) {
      if (!isSetCookie(name)) return h.delete(name);
      if (h.g) h.g(name, undefined);
      clear(c);
    },
    names: function () {
      const n = h.names();
      if (all().length) n.push('set-cookie');
      return n;
    },
  };
}

/** Answer headers go in directly (an artifact may have no `append`), Set-Cookie through the view. */
function addAnswerHeader(headers: HeaderMap, raw: CffResponse, name: string, value: string, g: AdapterOptions | undefined): void {
  if ((typeof __EDGE_SET_COOKIE__ === 'undefined' || __EDGE_SET_COOKIE__) && isSetCookie(name)) return headers.append(name, value);
  if (g && g.response) g.response(name, value);
  raw.headers[name.toLowerCase()] = { value: value };
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
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/helper-functions-origin-modification.html
 */
export function cffOriginParams(origin: Origin): Record<string, unknown> {
  if ('s3' in origin) {
    return {
      domainName: origin.s3.bucket + '.s3.' + origin.s3.region + '.amazonaws.com',
      originAccessControlConfig: { enabled: true, signingBehavior: 'always', signingProtocol: 'sigv4', originType: 's3' },
    };
  }
  const c = (origin as CustomOrigin).custom;
  const p: Record<string, unknown> = { domainName: c.domainName };
  if (c.path) p.originPath = c.path;
  if (c.port) p[c.protocol === 'http' ? 'httpPort' : 'httpsPort'] = c.port;
  if (c.protocol) p.customOriginConfig = { protocolPolicy: c.protocol === 'http' ? 'http-only' : 'https-only' };
  return p;
}
