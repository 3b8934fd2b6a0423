import type { EventType } from './capability.js';
import type { CffRequest, CffResponse } from './runtime/cff.js';
import type { LeRequest, LeResponse } from './runtime/lambda.js';

/** A request as both shapes can show it: lower-case header names, every value kept. */
export interface NormalRequest {
  method: string;
  uri: string;
  /** Encoded, without `?`. */
  querystring: string;
  headers: Record<string, string[]>;
}

export interface NormalResponse {
  status: number;
  statusDescription: string | undefined;
  headers: Record<string, string[]>;
  body: string | undefined;
}

/**
 * What one event turned into: the request went on, a request hook answered, or the response
 * (response phase) came back, possibly modified. `raw` is what the service receives.
 */
export type Outcome =
  | { kind: 'forward'; request: NormalRequest; raw: unknown; origin?: Record<string, unknown> }
  | { kind: 'respond'; response: NormalResponse; raw: unknown }
  | { kind: 'response'; response: NormalResponse; raw: unknown };

export function isLambdaResult(raw: unknown): boolean {
  const r = raw as Record<string, unknown>;
  return typeof r.status === 'string' || typeof r.clientIp === 'string' || (typeof r.querystring === 'string' && !hasCfHeaders(r));
}

/**
 * Whether a request's headers have the CloudFront Functions shape (`{ name: { value } }`), not
 * Lambda@Edge's (`{ name: [{ key, value }] }`): a CloudFront Function may hand its request back
 * with the query string as text (ParamMap.setString), which Lambda@Edge always has.
 */
function hasCfHeaders(r: Record<string, unknown>): boolean {
  const h = r.headers as Record<string, unknown> | undefined;
  if (!h || typeof h !== 'object') return false;
  for (const k in h) return !Array.isArray(h[k]);
  // No header at all: a Lambda@Edge request always has some (host), a CloudFront one has cookies.
  return typeof r.cookies === 'object';
}

/** Turns what a handler returned into an outcome, for either shape. */
export function toOutcome(eventType: EventType, raw: unknown): Outcome {
  const requestPhase = eventType === 'viewer-request' || eventType === 'origin-request';
  const r = raw as Record<string, unknown>;
  const isResponse = 'statusCode' in r || 'status' in r;
  if (!isResponse) {
    const origin = (raw as { origin?: Record<string, unknown> }).origin;
    return { kind: 'forward', request: normalRequest(raw as CffRequest | LeRequest), raw, ...(origin ? { origin } : {}) };
  }
  return { kind: requestPhase ? 'respond' : 'response', response: normalResponse(raw as CffResponse | LeResponse), raw };
}

export function normalRequest(raw: CffRequest | LeRequest): NormalRequest {
  if (typeof raw.querystring === 'string' && isLambdaResult(raw)) {
    const le = raw as LeRequest;
    return { method: le.method, uri: le.uri, querystring: le.querystring, headers: leHeaders(le.headers) };
  }
  const cf = raw as CffRequest;
  const headers = cfValues(cf.headers || {});
  const cookies = cf.cookies || {};
  const pairs: string[] = [];
  for (const k of Object.keys(cookies)) for (const v of list(cookies[k])) pairs.push(`${k}=${v.value}`);
  if (pairs.length) headers.cookie = [pairs.join('; ')];
  const query = cf.querystring as CffRequest['querystring'] | string | undefined;
  return { method: cf.method, uri: cf.uri, querystring: typeof query === 'string' ? query : cfQuery(query || {}), headers };
}

export function normalResponse(raw: CffResponse | LeResponse): NormalResponse {
  if ('status' in raw) {
    return { status: Number(raw.status), statusDescription: raw.statusDescription, headers: leHeaders(raw.headers || {}), body: raw.body };
  }
  const headers = cfValues(raw.headers || {});
  const cookies = raw.cookies || {};
  for (const k of Object.keys(cookies)) {
    for (const v of list(cookies[k] as { value: string; attributes?: string; multiValue?: { value: string; attributes?: string }[] })) {
      (headers['set-cookie'] ||= []).push(`${k}=${v.value}${v.attributes ? `; ${v.attributes}` : ''}`);
    }
  }
  const body = raw.body === undefined ? undefined : typeof raw.body === 'string' ? raw.body : raw.body.data;
  return { status: raw.statusCode, statusDescription: raw.statusDescription, headers, body };
}

function list<T extends { multiValue?: T[] }>(e: T): T[] {
  return e.multiValue && e.multiValue.length ? e.multiValue : [e];
}

function cfValues(o: Record<string, { value: string; multiValue?: { value: string }[] }>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const k of Object.keys(o)) out[k.toLowerCase()] = list(o[k]).map((v) => v.value);
  return out;
}

function cfQuery(o: Record<string, { value: string; multiValue?: { value: string }[] }>): string {
  const parts: string[] = [];
  for (const k of Object.keys(o)) for (const v of list(o[k])) parts.push(v.value === '' ? k : `${k}=${v.value}`);
  return parts.join('&');
}

function leHeaders(h: Record<string, { key?: string; value: string }[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const k of Object.keys(h)) out[k.toLowerCase()] = h[k].map((v) => v.value);
  return out;
}
