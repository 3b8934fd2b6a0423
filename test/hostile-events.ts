import type { CffEvent } from '@edgeline/core/runtime';

// Hostile CloudFront Functions events, seeded (the same events on every run, so a failure can be
// replayed by its name): odd UTF-8, lone surrogates, `%` sequences, prototype names as header,
// query and cookie names, multiValue everywhere, missing optional fields, and values as large as
// CloudFront lets through (a URL of at most 8,192 bytes; a request of at most 20,480 bytes with
// its headers). The shapes are those CloudFront sends (multiValue[0] is value; names of headers in
// lower case): an artifact must answer every one without hanging, throwing or returning a result
// CloudFront refuses.

export interface HostileEvent {
  /** Seed, index and what the event stresses: enough to find it again. */
  name: string;
  event: CffEvent;
}

type Values = Record<string, { value: string; multiValue?: { value: string }[]; attributes?: string }>;

/** mulberry32, as test/random-events.ts. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Names an object key must never be mistaken for. */
export const PROTO_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'isPrototypeOf'];

const ODD = [
  '', ' ', '%', '%%', '%zz', '%2', '%C3', '%E4%B8', '%ED%A0%80', '%00', '%25', '%2F%2F', '%0d%0a', '+', 'a+b', '=', '&', '?', '#', ';', ',',
  '\\', '"', "'", '<script>', '\r\n', '\t', '\u0000', '\u007f', 'ü', '中', '😀', '\u2028', '\ufeff', '\ufffd', '\ud800', '\udc00', 'a\ud83d', '\ude00b',
  '\ud83d\ude00\ud800', 'null', 'undefined', 'NaN', '0', '-1', '1e309', 'true', '[]', '{}', '__proto__', 'constructor',
];
const HEADER_NAMES: string[] = [
  'accept', 'accept-language', 'user-agent', 'referer', 'origin', 'authorization', 'cookie', 'host', 'cloudfront-viewer-country',
  'cloudfront-is-mobile-viewer', 'x-forwarded-for', 'x-user', 'x-ab-bucket', 'username-cache-key', 'content-type', 'if-none-match',
  'range', 'x-amz-cf-id', ...PROTO_NAMES.map((n) => n.toLowerCase()),
];
const RESPONSE_HEADER_NAMES = ['content-type', 'cache-control', 'etag', 'location', 'vary', 'access-control-allow-origin', 'content-security-policy', 'x-frame-options', 'server', ...PROTO_NAMES.map((n) => n.toLowerCase())];
const URIS = [
  '/', '/de', '/de/', '/en/x', '/fr/a/b', '/pricing', '//evil.example', '/\\evil.example', '/%2e%2e/', '/a b', '/ü', '/😀', '/\ud800', '/%',
  '/internal/x', '/members/', '/index.html', '/constructor', '/__proto__/', '/toString/x', '/a?b', '/a#b', '/\r\nSet-Cookie:x', '', 'x', '/de/%zz',
];
const COUNTRIES = ['DE', 'de', 'FR', 'US', 'XX', '', ' de', 'D', 'DEU', 'ü', '__proto__', 'constructor', 'toString', '\ud800'];
const BASIC = [
  'Basic dXNlcjpwdw==', 'Basic ', 'Basic', 'basic dXNlcjpwdw==', 'Basic %%%', 'Basic ====', 'Basic dXNlcg==', 'Basic OnB3', 'Basic w7w6w7w=',
  'Basic ' + 'QQ=='.repeat(500), 'Bearer abc.def.ghi', 'Basic 4pyTIMOgIGxhIG1vZGU=', 'Basic ' + Buffer.from('__proto__:constructor').toString('base64'),
  'Basic dXNlcjpwdw==, Basic eDp5',
];
const TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz";
const STATUSES = [200, 201, 204, 206, 301, 302, 304, 400, 401, 403, 404, 416, 500, 502, 503];

/** Lone surrogates replaced by U+FFFD (String.prototype.toWellFormed, which ES2022 lacks). */
function wellFormed(s: string): string {
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** A string of `bytes` UTF-8 bytes or fewer, full of characters that need encoding in a URL. */
function encodeHeavy(bytes: number, r: () => number): string {
  const pieces = [' ', '"', '<', '>', '\\', '^', '`', '{', '|', '}', 'ü', '中', '😀', '%', '#', '\u007f'];
  let out = '';
  let size = 0;
  for (;;) {
    const p = pieces[Math.floor(r() * pieces.length)];
    const n = Buffer.byteLength(p);
    if (size + n > bytes) return out;
    out += p;
    size += n;
  }
}

export function cffEvent(eventType: 'viewer-request' | 'viewer-response', request: CffEvent['request'], response?: CffEvent['response'], bare = false): CffEvent {
  const context = bare
    ? { eventType }
    : { distributionDomainName: 'd111111abcdef8.cloudfront.net', distributionId: 'EDFDVBD6EXAMPLE', eventType, requestId: '4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==' };
  const event = { version: '1.0', context, viewer: { ip: '198.51.100.11' }, request } as unknown as CffEvent;
  if (response) (event as { response?: unknown }).response = response;
  return event;
}

/** The event of issue 11 that made geoRedirect's CloudFront Function loop forever in njs 0.7.9. */
export function issue11Event(): CffEvent {
  return JSON.parse(`{"version":"1.0","context":{"eventType":"viewer-request"},"viewer":{"ip":"1.2.3.4"},
    "request":{"method":"GET","uri":"/de","headers":{},"cookies":{},"querystring":{
      "=":{"value":" 'Za'"},
      ".'中Z":{"value":"x","multiValue":[{"value":"x"},{"value":"%"}]},
      " ":{"value":"x","multiValue":[{"value":"x"},{"value":"a \\""}]}}}}`) as CffEvent;
}

/** Sets `o[k]` as an own property, also for `__proto__` (as JSON.parse does with CloudFront's event). */
function own(o: Values, k: string, v: Values[string]): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** Puts `values` under `name`, with multiValue when there are several (or, half the time, one). */
function put(o: Values, name: string, values: string[], r: () => number, attributes?: string): void {
  const prior = Object.prototype.hasOwnProperty.call(o, name) ? o[name] : undefined;
  const all = prior ? (prior.multiValue ?? [{ value: prior.value }]).map((x) => x.value).concat(values) : values;
  const e: Values[string] = { value: all[0] };
  if (all.length > 1 || r() < 0.3) e.multiValue = all.map((value) => ({ value }));
  if (attributes !== undefined) e.attributes = attributes;
  own(o, name, e);
}

/**
 * `count` hostile events of each type, plus the worst cases at the limits (the same for every
 * seed) and the event of issue 11 for viewer-request.
 */
export function hostileEvents(seed: number, count: number, eventType: 'viewer-request' | 'viewer-response'): HostileEvent[] {
  const r = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const odd = (): string => {
    const n = 1 + Math.floor(r() * 3);
    let s = '';
    for (let i = 0; i < n; i++) s += r() < 0.3 ? String.fromCharCode(Math.floor(r() * 0x10000)) : pick(ODD);
    return s;
  };
  const oddName = (): string => (r() < 0.4 ? pick(PROTO_NAMES) : r() < 0.5 ? odd() : pick(['a', 'q', 'uid', 'session', 'lang']));
  // What HTTP parsing lets reach the event: a header or cookie name is a token (header names in
  // lower case); a header or cookie value has no CR, LF or NUL and is text (no lone surrogate:
  // CloudFront decodes bytes). Query names and values and the uri keep everything.
  const token = (): string => {
    if (r() < 0.5) return pick(PROTO_NAMES).toLowerCase();
    let s = '';
    const n = 1 + Math.floor(r() * 8);
    for (let i = 0; i < n; i++) s += pick([...TOKEN_CHARS]);
    return s;
  };
  const text = (): string => wellFormed(odd().replace(/[\r\n\0]/g, ''));
  const cookieValue = (): string => text().replace(/;/g, '');
  const out: HostileEvent[] = [];

  for (let i = 0; i < count; i++) {
    const headers: Values = {};
    const cookies: Values = {};
    const query: Values = {};
    const headerCount = Math.floor(r() * 6);
    for (let h = 0; h < headerCount; h++) put(headers, r() < 0.6 ? pick(HEADER_NAMES) : token(), [text()], r);
    if (r() < 0.5) put(headers, 'cloudfront-viewer-country', [pick(COUNTRIES)], r);
    if (r() < 0.3) put(headers, 'authorization', r() < 0.2 ? [pick(BASIC), pick(BASIC)] : [pick(BASIC)], r);
    if (r() < 0.2) put(headers, 'host', [pick(['example.com', '', 'évil.example', 'a b', '[::1]:80'])], r);
    const queryCount = Math.floor(r() * 5);
    for (let q = 0; q < queryCount; q++) put(query, oddName(), r() < 0.3 ? [odd(), odd()] : [odd()], r);
    const cookieCount = Math.floor(r() * 4);
    for (let c = 0; c < cookieCount; c++) put(cookies, r() < 0.3 ? 'uid' : token(), [cookieValue()], r);
    const request = { method: pick(['GET', 'HEAD', 'POST', 'OPTIONS', 'DELETE', 'get']), uri: r() < 0.7 ? pick(URIS) : '/' + odd(), querystring: query, headers, cookies };
    let response: CffEvent['response'] | undefined;
    if (eventType === 'viewer-response') {
      const rh: Values = {};
      const rc: Values = {};
      const n = Math.floor(r() * 5);
      for (let h = 0; h < n; h++) put(rh, r() < 0.6 ? pick(RESPONSE_HEADER_NAMES) : token(), [text()], r);
      const m = Math.floor(r() * 3);
      for (let c = 0; c < m; c++) put(rc, token(), [cookieValue()], r, r() < 0.5 ? pick(['Path=/', 'Secure; HttpOnly', '', text()]) : undefined);
      response = { statusCode: pick(STATUSES), ...(r() < 0.5 ? { statusDescription: pick(['OK', '', text()]) } : {}), headers: rh, cookies: rc } as CffEvent['response'];
    }
    out.push({ name: `seed ${seed} #${i}`, event: cffEvent(eventType, request as CffEvent['request'], response, r() < 0.3) });
  }

  // At CloudFront's limits: the URL (uri and query string) at most 8,192 bytes.
  const limit = (label: string, uri: string, querystring: Values, headers: Values = {}): void => {
    const request = { method: 'GET', uri, querystring, headers: { host: { value: 'example.com' }, 'cloudfront-viewer-country': { value: 'DE' }, ...headers }, cookies: {} };
    const response = eventType === 'viewer-response' ? ({ statusCode: 200, headers: {}, cookies: {} } as CffEvent['response']) : undefined;
    out.push({ name: `limit: ${label}`, event: cffEvent(eventType, request as CffEvent['request'], response) });
  };
  const many: Values = {};
  for (let i = 0; i < 1000; i++) many['p' + i] = { value: '1' };
  limit('1,000 distinct parameters', '/pricing', many);
  limit('4,000 parameters named a', '/pricing', { a: { value: '', multiValue: Array.from({ length: 4000 }, () => ({ value: '' })) } });
  limit('680 parameters named __proto__', '/pricing', { ['__proto__']: { value: '1', multiValue: Array.from({ length: 680 }, () => ({ value: '1' })) } } as Values);
  const heavy: Values = {};
  own(heavy, 'x', { value: encodeHeavy(8000, r) });
  limit('one value of 8,000 bytes needing encoding', '/pricing', heavy);
  limit('one value of 8,000 spaces', '/pricing', { x: { value: ' '.repeat(8000) } });
  limit('a uri of 8,000 bytes needing encoding', '/' + encodeHeavy(8000, r), {});
  limit('a uri of 8,000 slashes', '/'.repeat(8000), {});
  limit('8,000 bytes of percent signs', '/%', { q: { value: '%'.repeat(7990) } });
  const bigHeaders: Values = {};
  for (let i = 0; i < 14; i++) own(bigHeaders, 'x-big-' + i, { value: encodeHeavy(1000, r) });
  own(bigHeaders, 'cookie', { value: Array.from({ length: 200 }, (_, i) => `c${i}=${'v'.repeat(10)}`).join('; ') });
  own(bigHeaders, 'authorization', { value: 'Basic ' + 'QUJD'.repeat(500) });
  limit('14 headers of 1,000 bytes, 200 cookies, a long Authorization', '/members/', {}, bigHeaders);
  if (eventType === 'viewer-request') out.push({ name: 'issue 11 item 1', event: issue11Event() });
  return out;
}
