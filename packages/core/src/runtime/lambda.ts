import type { EventType } from '../capability.js';
import type {
  Answer, AnswerInit, CustomOrigin, EdgeRequest, EdgeResponse, HeaderMap, Origin, RedirectStatus, RequestBody, Viewer,
  RequestContext, ResponseContext,
} from '../context.js';
import { redirect, respond } from './answer.js';
import { COOKIES, QUERY, parsePairs, rawUntilChanged, valueMap, type CfValues, type ChangeGuard, type ValueMap } from './value-map.js';
import type { AdapterOptions } from './cff.js';

/**
 * Adapters between the Lambda@Edge event and the context hooks see.
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-event-structure.html
 */
export type LeHeaders = Record<string, { key?: string; value: string }[]>;
export interface LeRequest {
  clientIp: string;
  method: string;
  uri: string;
  querystring: string;
  headers: LeHeaders;
  origin?: Record<string, unknown>;
  body?: { action?: string; data: string; encoding: 'base64' | 'text'; inputTruncated: boolean };
}
export interface LeResponse {
  status: string;
  statusDescription?: string;
  headers: LeHeaders;
  body?: string;
  bodyEncoding?: 'text' | 'base64';
}
export interface LeEvent {
  Records: { cf: { config: { eventType: string; distributionDomainName?: string; distributionId?: string; requestId?: string }; request: LeRequest; response?: LeResponse } }[];
}

/** `{ name: [{ key, value }] }` with the original `key` casing kept. */
export class LeHeaderMap implements HeaderMap {
  constructor(
    public h: LeHeaders,
    public g?: ChangeGuard,
  ) {}

  get(name: string): string | undefined {
    const list = this.h[name.toLowerCase()];
    return list && list.length ? list[0].value : undefined;
  }

  getAll(name: string): string[] {
    const list = this.h[name.toLowerCase()];
    const out: string[] = [];
    if (list) for (let i = 0; i < list.length; i++) out.push(list[i].value);
    return out;
  }

  has(name: string): boolean {
    const list = this.h[name.toLowerCase()];
    return !!list && list.length > 0;
  }

  set(name: string, value: string): void {
    if (this.g) this.g(name, value);
    const k = name.toLowerCase();
    const old = this.h[k];
    this.h[k] = [{ key: old && old.length && old[0].key ? old[0].key : name, value: value }];
  }

  append(name: string, value: string): void {
    if (this.g) this.g(name, value);
    const k = name.toLowerCase();
    (this.h[k] || (this.h[k] = [])).push({ key: name, value: value });
  }

  delete(name: string): void {
    const k = name.toLowerCase();
    if (!this.h[k]) return;
    if (this.g) this.g(name, undefined);
    delete this.h[k];
  }

  names(): string[] {
    return Object.keys(this.h);
  }
}

export { parsePairs };

/**
 * The request as hooks see it. Classes, not object literals with getters: V8 keeps them fast,
 * and query string and cookies are parsed on first use (most hooks read neither).
 */
class LeRequestView implements EdgeRequest {
  readonly method: string;
  uri: string;
  readonly headers: LeHeaderMap;
  readonly body: RequestBody | undefined;
  private q: ValueMap | undefined;
  private c: ValueMap | undefined;

  constructor(
    readonly raw: LeRequest,
    g: AdapterOptions | undefined,
  ) {
    this.method = raw.method;
    this.uri = raw.uri;
    this.headers = new LeHeaderMap(raw.headers || (raw.headers = {}), g && g.request);
    const b = raw.body;
    this.body = b && b.data !== undefined ? { data: b.data, encoding: b.encoding, inputTruncated: !!b.inputTruncated } : undefined;
  }

  get querystring(): ValueMap {
    return this.q || (this.q = rawUntilChanged(valueMap(parsePairs(this.raw.querystring || '', '&'), QUERY), this.raw.querystring || ''));
  }

  get cookies(): ValueMap {
    return this.c || (this.c = valueMap(parsePairs(this.headers.getAll('cookie').join(';'), ';'), COOKIES));
  }

  /** True once a hook changed the query string. */
  get dirtyQuery(): boolean {
    return this.q !== undefined && (this.q.dirty || this.q.replaced === true);
  }
}

function viewerOf(raw: LeRequest): Viewer {
  const h = raw.headers && raw.headers['cloudfront-viewer-country'];
  return { ip: raw.clientIp, country: h && h.length ? h[0].value : undefined };
}

function cfOf(event: LeEvent) {
  return event.Records[0].cf;
}

class LeRequestContext implements RequestContext {
  readonly eventType: RequestContext['eventType'];
  readonly request: LeRequestView;
  readonly viewer: Viewer;
  readonly requestId: string | undefined;

  constructor(cf: LeEvent['Records'][0]['cf'], g: AdapterOptions | undefined) {
    this.eventType = cf.config.eventType as RequestContext['eventType'];
    this.request = new LeRequestView(cf.request, g);
    this.viewer = viewerOf(cf.request);
    this.requestId = cf.config.requestId;
  }

  respond(init: AnswerInit): Answer {
    return respond(init);
  }

  redirect(location: string, status?: RedirectStatus): Answer {
    return redirect(location, status);
  }

  setOrigin(origin: Origin): void {
    if (this.eventType !== 'origin-request') throw new Error('setOrigin works only at origin-request on Lambda@Edge');
    applyOrigin(this.request, origin);
  }

  kvs(): Promise<string | undefined> {
    return Promise.reject(new Error('KeyValueStore is a CloudFront Functions feature (the kvs capability)'));
  }
}

export function leRequestContext(event: LeEvent, g?: AdapterOptions): RequestContext {
  return new LeRequestContext(cfOf(event), g);
}

/** The request to hand back to CloudFront: uri and a changed query string written back. */
export function leForward(ctx: RequestContext, event?: LeEvent): LeRequest {
  void event;
  const view = ctx.request as unknown as LeRequestView;
  view.raw.uri = view.uri;
  if (view.dirtyQuery) view.raw.querystring = view.querystring.toString();
  return view.raw;
}

function responseView(raw: LeResponse, g: AdapterOptions | undefined): EdgeResponse {
  return {
    status: parseInt(raw.status, 10),
    statusDescription: raw.statusDescription,
    headers: new LeHeaderMap(raw.headers || (raw.headers = {}), g && g.response),
  };
}

export function leResponseContext(event: LeEvent, g?: AdapterOptions): ResponseContext {
  const cf = cfOf(event);
  const request = new LeRequestView(cf.request, g);
  return {
    eventType: cf.config.eventType as ResponseContext['eventType'],
    request: request,
    response: responseView(cf.response as LeResponse, g),
    viewer: viewerOf(cf.request),
    requestId: cf.config.requestId,
    respond: respond,
    redirect: redirect,
  };
}

/** The response to hand back (the event's own, or an answer's): `status` stays a string, as Lambda@Edge wants it. */
export function leResponse(ctx: ResponseContext, raw: LeResponse): LeResponse {
  const view = ctx.response;
  if (String(view.status) !== raw.status) raw.status = String(view.status);
  if (view.statusDescription !== undefined) raw.statusDescription = view.statusDescription;
  return raw;
}

/** The response of an event (for the glue, which sees only the event). */
export function leEventResponse(event: LeEvent): LeResponse {
  return cfOf(event).response as LeResponse;
}

/** An answer as Lambda@Edge wants it. */
export function leAnswer(answer: Answer, g?: AdapterOptions): LeResponse {
  const raw: LeResponse = { status: String(answer.status), headers: {} };
  if (answer.statusDescription) raw.statusDescription = answer.statusDescription;
  const headers = new LeHeaderMap(raw.headers, g && g.response);
  if (answer.location !== undefined) {
    if (g && g.response) g.response('Location', answer.location);
    raw.headers.location = [{ key: 'Location', value: answer.location }];
  }
  const h = answer.headers;
  if (h) for (const name in h) headers.append(name, h[name]);
  if (answer.body !== undefined) {
    raw.body = answer.body;
    raw.bodyEncoding = 'text';
  }
  return raw;
}

/** A context over an answer, for the response hooks of the middleware before the one that answered. */
export function leAnswerContext(ctx: RequestContext, raw: LeResponse, eventType: EventType, g?: AdapterOptions): ResponseContext {
  return {
    eventType: (eventType === 'origin-request' ? 'origin-response' : 'viewer-response'),
    request: ctx.request,
    response: responseView(raw, g),
    viewer: ctx.viewer,
    requestId: ctx.requestId,
    respond: respond,
    redirect: redirect,
  };
}

/**
 * The origin object of an origin-request event, the same origin cloudfront-js-2.0 gets from
 * runtime/cff.ts cffOriginParams. An S3 origin's `authMethod` is only 'origin-access-identity'
 * (legacy OAI) or 'none': the event has no field for Origin Access Control. With 'none', CloudFront
 * signs the origin request with the OAC attached to the cache behavior's own S3 origin, SigV4 for
 * `region`, which must be the bucket's (a wrong one is S3's "AuthorizationHeaderMalformed"). A
 * custom origin is never signed. The Host header follows the origin.
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-event-structure.html
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-examples.html#lambda-examples-content-based-routing-examples
 */
function applyOrigin(request: LeRequestView, origin: Origin): void {
  let host: string;
  if ('s3' in origin) {
    host = origin.s3.bucket + '.s3.' + origin.s3.region + '.amazonaws.com';
    request.raw.origin = {
      s3: { domainName: host, region: origin.s3.region, authMethod: 'none', path: origin.s3.path || '', customHeaders: {} },
    };
  } else {
    const c = (origin as CustomOrigin).custom;
    host = c.domainName;
    const protocol = c.protocol || 'https';
    request.raw.origin = {
      custom: {
        domainName: c.domainName,
        port: c.port || (protocol === 'https' ? 443 : 80),
        protocol: protocol,
        path: c.path || '',
        sslProtocols: ['TLSv1.2'],
        readTimeout: 30,
        keepaliveTimeout: 5,
        customHeaders: {},
      },
    };
  }
  request.headers.set('host', host);
}
