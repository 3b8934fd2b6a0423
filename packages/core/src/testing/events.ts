import type { CffEvent, CffRequest, CffResponse } from '../runtime/cff.js';
import type { LeEvent, LeHeaders, LeRequest, LeResponse } from '../runtime/lambda.js';
import type { EventType, RequestEventType, ResponseEventType } from '../capability.js';

// The fixtures' own types, as precise as the events CloudFront sends: assignable to the event
// types of @types/aws-lambda (CloudFrontRequestEvent, CloudFrontResponseEvent,
// CloudFrontFunctionsEvent) and @types/aws-cloudfront-function, checked in events.test-d.ts.

/** `context` of a CloudFront Functions event, `config` of a Lambda@Edge one. */
export interface EventContext<T extends EventType> {
  distributionDomainName: string;
  distributionId: string;
  eventType: T;
  requestId: string;
}

/** A CloudFront Functions viewer-request event. */
export interface CffRequestEvent extends CffEvent {
  version: '1.0';
  context: EventContext<'viewer-request'>;
  viewer: { ip: string };
  request: CffRequest;
  response?: undefined;
}

/** A CloudFront Functions viewer-response event. */
export interface CffResponseEvent extends CffEvent {
  version: '1.0';
  context: EventContext<'viewer-response'>;
  viewer: { ip: string };
  request: CffRequest;
  response: CffResponse & { statusDescription: string; cookies: NonNullable<CffResponse['cookies']> };
}

/** The origin of an origin-request or origin-response event, as CloudFront sends it. */
export type LambdaCustomOrigin = {
  custom: {
    customHeaders: LeHeaders; domainName: string; keepaliveTimeout: number; path: string; port: number;
    protocol: 'http' | 'https'; readTimeout: number; sslProtocols: string[];
  };
};

/** A Lambda@Edge request as CloudFront sends it. */
export interface LambdaRequest extends LeRequest {
  body?: { action: 'read-only' | 'replace'; data: string; encoding: 'base64' | 'text'; inputTruncated: boolean };
  origin?: LambdaCustomOrigin;
}

/** A Lambda@Edge viewer-request or origin-request event. */
export interface LambdaRequestEvent<T extends RequestEventType = RequestEventType> extends LeEvent {
  Records: { cf: { config: EventContext<T>; request: LambdaRequest; response?: undefined } }[];
}

/** A Lambda@Edge origin-response or viewer-response event. */
export interface LambdaResponseEvent<T extends ResponseEventType = ResponseEventType> extends LeEvent {
  Records: { cf: { config: EventContext<T>; request: Omit<LambdaRequest, 'body'>; response: LeResponse & { statusDescription: string } } }[];
}

/** The Lambda@Edge event of an event type. */
export type LambdaEventOf<T extends EventType> = T extends RequestEventType ? LambdaRequestEvent<T> : T extends ResponseEventType ? LambdaResponseEvent<T> : never;
/** The CloudFront Functions event of an event type. */
export type CffEventOf<T extends EventType> = T extends 'viewer-request' ? CffRequestEvent : T extends 'viewer-response' ? CffResponseEvent : never;

type Values = Record<string, string | string[]>;

/** One description of a request (and response) that builds either event shape. */
export interface EventInit {
  method?: string;
  uri?: string;
  /** `'a=1&a=2'` or `{ a: ['1', '2'] }`; values as they travel (URL-encoded). */
  querystring?: string | Values;
  /** Header names in any case; the Lambda@Edge `key` keeps it. */
  headers?: Values;
  /** Request cookies. */
  cookies?: Values;
  /** Sets `cloudfront-viewer-country`. */
  country?: string;
  ip?: string;
  requestId?: string;
  /** Response fields, for response events. */
  status?: number;
  statusDescription?: string;
  responseHeaders?: Values;
  /** Lambda@Edge request body (as with includeBody). */
  body?: { data: string; encoding?: 'base64' | 'text'; inputTruncated?: boolean };
}

const arr = (v: string | string[]): string[] => (Array.isArray(v) ? v : [v]);

function queryPairs(q: EventInit['querystring']): [string, string][] {
  if (!q) return [];
  if (typeof q === 'string') {
    return q.replace(/^\?/, '').split('&').filter(Boolean).map((p) => {
      const eq = p.indexOf('=');
      return eq < 0 ? [p, ''] : [p.slice(0, eq), p.slice(eq + 1)];
    });
  }
  return Object.entries(q).flatMap(([k, v]) => arr(v).map((x) => [k, x] as [string, string]));
}

function cfValues(pairs: [string, string][], lower: boolean) {
  const out: Record<string, { value: string; multiValue?: { value: string }[] }> = {};
  for (const [k0, v] of pairs) {
    const k = lower ? k0.toLowerCase() : k0;
    // Own properties only, defined rather than assigned: `__proto__` or `constructor` are names
    // like any other in a query string, as in the JSON CloudFront sends.
    const e = Object.prototype.hasOwnProperty.call(out, k) ? out[k] : undefined;
    if (!e) Object.defineProperty(out, k, { value: { value: v }, enumerable: true, writable: true, configurable: true });
    else (e.multiValue ||= [{ value: e.value }]).push({ value: v });
  }
  return out;
}

function headerPairs(init: EventInit): [string, string][] {
  const pairs = Object.entries(init.headers ?? {}).flatMap(([k, v]) => arr(v).map((x) => [k, x] as [string, string]));
  if (init.country) pairs.push(['CloudFront-Viewer-Country', init.country]);
  if (!pairs.some(([k]) => k.toLowerCase() === 'host')) pairs.unshift(['Host', 'd111111abcdef8.cloudfront.net']);
  return pairs;
}

function cffEvent(eventType: 'viewer-request' | 'viewer-response', init: EventInit): CffRequestEvent | CffResponseEvent {
  const event: CffEvent = {
    version: '1.0',
    context: { distributionDomainName: 'd111111abcdef8.cloudfront.net', distributionId: 'EDFDVBD6EXAMPLE', eventType, requestId: init.requestId ?? 'req-1' },
    viewer: { ip: init.ip ?? '198.51.100.11' },
    request: {
      method: init.method ?? 'GET',
      uri: init.uri ?? '/',
      querystring: cfValues(queryPairs(init.querystring), false),
      headers: cfValues(headerPairs(init), true),
      cookies: cfValues(Object.entries(init.cookies ?? {}).flatMap(([k, v]) => arr(v).map((x) => [k, x] as [string, string])), false),
    },
  };
  if (eventType === 'viewer-request') withRawQuery(event.request, rawQuery(init.querystring));
  if (eventType === 'viewer-response') {
    const cookies: Record<string, { value: string; attributes?: string; multiValue?: { value: string; attributes?: string }[] }> = {};
    const headers: [string, string][] = [];
    for (const [k, v] of Object.entries(init.responseHeaders ?? {})) {
      for (const x of arr(v)) {
        if (k.toLowerCase() !== 'set-cookie') { headers.push([k, x]); continue; }
        const semi = x.indexOf(';');
        const pair = semi < 0 ? x : x.slice(0, semi);
        const eq = pair.indexOf('=');
        const name = pair.slice(0, eq);
        const c = { value: pair.slice(eq + 1), ...(semi < 0 ? {} : { attributes: x.slice(semi + 1).trim() }) };
        const e = cookies[name];
        if (!e) cookies[name] = c;
        else (e.multiValue ||= [{ value: e.value, attributes: e.attributes }]).push(c);
      }
    }
    event.response = { statusCode: init.status ?? 200, statusDescription: init.statusDescription ?? 'OK', headers: cfValues(headers, true), cookies };
  }
  return event as CffRequestEvent | CffResponseEvent;
}

/** The query string as the viewer sent it (no `?`), as Lambda@Edge's `querystring` has it; undefined when the init has none. */
function rawQuery(q: EventInit['querystring']): string | undefined {
  if (q === undefined) return undefined;
  return typeof q === 'string' ? q.replace(/^\?/, '') : queryPairs(q).map(([k, v]) => `${k}=${v}`).join('&');
}

/**
 * Gives a CloudFront Functions request the `rawQueryString()` method CloudFront's request has on
 * cloudfront-js-2.0, returning `raw`. Non-enumerable: the event's JSON stays what CloudFront
 * sends, and a copy by JSON or structuredClone has no method (rawQueryOf then rebuilds the text
 * from the object). runPipeline, runBuilt, the vm emulator and njs read it with rawQueryOf and
 * give the function it on a 2.0 viewer-request event only, as CloudFront does.
 */
export function withRawQuery<R extends CffRequest>(request: R, raw: string | undefined): R {
  Object.defineProperty(request, 'rawQueryString', { value: () => raw, enumerable: false, writable: true, configurable: true });
  return request;
}

/**
 * A CloudFront Functions viewer-request event. Its request has `rawQueryString()` (not
 * enumerable), which gives `querystring` as the init wrote it (`'b=2&a=&b=1'` stays so): what
 * CloudFront gives a cloudfront-js-2.0 function; the runners leave it out on 1.0.
 */
export function viewerRequest(init: EventInit = {}): CffRequestEvent {
  return cffEvent('viewer-request', init) as CffRequestEvent;
}

/** A CloudFront Functions viewer-response event. */
export function viewerResponse(init: EventInit = {}): CffResponseEvent {
  return cffEvent('viewer-response', init) as CffResponseEvent;
}

function leHeaders(pairs: [string, string][]) {
  const out: Record<string, { key: string; value: string }[]> = {};
  for (const [k, v] of pairs) (out[k.toLowerCase()] ||= []).push({ key: k, value: v });
  return out;
}

/**
 * A Lambda@Edge event of any of the four types.
 * @example const event: CloudFrontRequestEvent = lambdaEvent('origin-request', { uri: '/a' });
 */
export function lambdaEvent<T extends EventType>(eventType: T, init: EventInit = {}): LambdaEventOf<T> {
  const headers = headerPairs(init);
  const cookies = Object.entries(init.cookies ?? {}).flatMap(([k, v]) => arr(v).map((x) => `${k}=${x}`));
  if (cookies.length) headers.push(['Cookie', cookies.join('; ')]);
  const request: LambdaRequest = {
    clientIp: init.ip ?? '198.51.100.11',
    method: init.method ?? 'GET',
    uri: init.uri ?? '/',
    querystring: typeof init.querystring === 'string'
      ? init.querystring.replace(/^\?/, '')
      : queryPairs(init.querystring).map(([k, v]) => `${k}=${v}`).join('&'),
    headers: leHeaders(headers),
  };
  if (init.body && (eventType === 'viewer-request' || eventType === 'origin-request')) {
    request.body = { action: 'read-only', data: init.body.data, encoding: init.body.encoding ?? 'base64', inputTruncated: init.body.inputTruncated ?? false };
  }
  if (eventType === 'origin-request' || eventType === 'origin-response') {
    request.origin = { custom: { customHeaders: {}, domainName: 'example.org', keepaliveTimeout: 5, path: '', port: 443, protocol: 'https', readTimeout: 30, sslProtocols: ['TLSv1.2'] } };
  }
  const cf: LeEvent['Records'][0]['cf'] = {
    config: { distributionDomainName: 'd111111abcdef8.cloudfront.net', distributionId: 'EDFDVBD6EXAMPLE', eventType, requestId: init.requestId ?? 'req-1' },
    request,
  };
  if (eventType === 'origin-response' || eventType === 'viewer-response') {
    cf.response = {
      status: String(init.status ?? 200),
      statusDescription: init.statusDescription ?? 'OK',
      headers: leHeaders(Object.entries(init.responseHeaders ?? {}).flatMap(([k, v]) => arr(v).map((x) => [k, x] as [string, string]))),
    };
  }
  return { Records: [{ cf }] } as LambdaEventOf<T>;
}

/** The same description as a CloudFront Functions event (viewer events) or a Lambda@Edge one. */
export function eventFor<T extends EventType>(shape: 'lambda', eventType: T, init?: EventInit): LambdaEventOf<T>;
export function eventFor<T extends 'viewer-request' | 'viewer-response'>(shape: 'cff', eventType: T, init?: EventInit): CffEventOf<T>;
export function eventFor<T extends EventType>(shape: 'cff' | 'lambda', eventType: T, init?: EventInit): CffEventOf<T> | LambdaEventOf<T>;
export function eventFor(shape: 'cff' | 'lambda', eventType: EventType, init: EventInit = {}): CffEvent | LeEvent {
  if (shape === 'lambda') return lambdaEvent(eventType, init);
  if (eventType === 'viewer-request') return viewerRequest(init);
  if (eventType === 'viewer-response') return viewerResponse(init);
  throw new Error(`CloudFront Functions have no ${eventType} event`);
}
