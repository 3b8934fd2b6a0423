// The worst requests CloudFront lets through, for the cost check (bench/cost.mjs), as EventInits
// of @edgeline/core/testing. CloudFront's quotas ("Quotas", General quotas): a URL is at most
// 8,192 bytes, and a request, headers and query string included (body excluded), at most 20,480
// bytes. Each request is built to one of those limits, on top of the headers a browser sends;
// the generators check they stay within both.
import { createHmac } from 'node:crypto';

export const MAX_URL = 8192;
export const MAX_REQUEST = 20480;
/** The shared secret of the jwtVerify HS256 pipeline the check builds. */
export const JWT_SECRET = 'a-shared-secret-of-at-least-32-bytes!';

const browser = {
  'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'Accept-Encoding': 'gzip, deflate, br',
  'Accept-Language': 'de-DE,de;q=0.9,en;q=0.8',
};
// A page outside every section, from a country with one: geoRedirect answers with a redirect
// that carries the whole query string.
const req = (init) => ({ uri: '/p', country: 'DE', ...init, headers: { ...browser, ...init.headers } });
const originHeaders = { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'max-age=300', ETag: '"5f3a-1"', Server: 'AmazonS3' };
const res = (init) => ({ ...init, status: init.status ?? 200, responseHeaders: { ...originHeaders, ...init.responseHeaders } });

const bytes = (s) => Buffer.byteLength(s);
const list = (v) => (Array.isArray(v) ? v : [v]);
const line = (k, v) => bytes(k) + 2 + bytes(v) + 2; // "name: value\r\n"

/** URL bytes: the path and the query string, as on the request line. */
export function urlBytes(init) {
  const q = typeof init.querystring === 'string' ? init.querystring : '';
  return bytes(init.uri ?? '/') + (q ? 1 + bytes(q) : 0);
}

/**
 * The bytes of a request as CloudFront counts them against its 20,480: URL and header lines
 * (a Host header and CloudFront-Viewer-Country included, the cookies as one Cookie line); for a
 * viewer-response event, plus the bytes of the response (responseBytes).
 */
export function requestBytes(init, eventType = 'viewer-request') {
  let n = urlBytes(init);
  const headers = Object.entries(init.headers ?? {});
  if (!headers.some(([k]) => k.toLowerCase() === 'host')) n += line('Host', 'd111111abcdef8.cloudfront.net');
  for (const [k, v] of headers) for (const x of list(v)) n += line(k, x);
  if (init.country) n += line('CloudFront-Viewer-Country', init.country);
  const cookies = Object.entries(init.cookies ?? {}).flatMap(([k, v]) => list(v).map((x) => `${k}=${x}`));
  if (cookies.length) n += line('Cookie', cookies.join('; '));
  return eventType === 'viewer-response' ? n + responseBytes(init) : n;
}

/** The status line and header lines of an origin response (also limited to 20,480 bytes). */
export function responseBytes(init) {
  let n = 'HTTP/1.1 200 OK\r\n'.length;
  for (const [k, v] of Object.entries(init.responseHeaders ?? {})) for (const x of list(v)) n += line(k, x);
  return n;
}

/** Repeats `unit(i)` while the text stays within `room` bytes, then pads with `pad` to exactly `room` (ASCII pads). */
function fill(room, unit, sep = '', pad = '') {
  const parts = [];
  let used = 0;
  for (let i = 0; ; i++) {
    const u = unit(i);
    const add = bytes(u) + (parts.length ? bytes(sep) : 0);
    if (used + add > room) break;
    parts.push(u);
    used += add;
  }
  let s = parts.join(sep);
  if (pad) while (bytes(s) + bytes(pad) <= room) s += pad;
  return s;
}

/** A query string that makes the URL of `init` exactly MAX_URL bytes (or just under, for multi-byte units). */
function query(init, unit, sep = '', pad = '') {
  const room = MAX_URL - bytes(init.uri) - 1;
  return { ...init, querystring: fill(room, unit, sep, pad) };
}

/** Room left for one more header line `name: ...` in a request of MAX_REQUEST bytes. */
function headerRoom(init, name) {
  return MAX_REQUEST - requestBytes(init) - (bytes(name) + 4);
}

function checked(label, init, eventType = 'viewer-request') {
  const url = urlBytes(init);
  const total = requestBytes(init);
  const response = eventType === 'viewer-response' ? responseBytes(init) : 0;
  if (url > MAX_URL || total > MAX_REQUEST || response > MAX_REQUEST) {
    throw new Error(`cost-requests: "${label}" is over CloudFront's limits (URL ${url}, request ${total}, response ${response} bytes)`);
  }
  return { label, init };
}

/** The longest `Basic` value whose credentials are `user:` and a password of `ch` repeated. */
function longestBasic(base, user, ch) {
  const room = headerRoom(base, 'Authorization') - 'Basic '.length;
  const raw = Math.floor(room / 4) * 3; // base64 of n bytes is 4 * ceil(n / 3) characters
  const password = fill(raw - bytes(user) - 1, () => ch);
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** Worst viewer-request events: the longest URLs and headers, with and without Authorization. */
export function worstRequests() {
  const base = req({});
  const name = (i) => `p${i.toString(36)}`;
  const cookieBase = { ...base };
  const cookieRoom = headerRoom(cookieBase, 'Cookie');
  const cookies = {};
  fill(cookieRoom, (i) => `c${i.toString(36)}=v`, '; ').split('; ').forEach((p) => { cookies[p.slice(0, p.indexOf('='))] = 'v'; });
  // n lines of `name: value`: the first fills headerRoom by its value, each next by a whole line.
  const times = (name, value) => Array(1 + Math.floor((headerRoom(base, name) - bytes(value)) / line(name, value))).fill(value);
  const repeated = times('X-Rep', '1');
  const basicRepeated = times('Authorization', `Basic ${Buffer.from('alice:correct horse').toString('base64')}`);
  const manyHeaders = {};
  for (let i = 0, room = MAX_REQUEST - requestBytes(base); line(`X-H${i.toString(36)}`, 'v') <= room; i++) {
    manyHeaders[`X-H${i.toString(36)}`] = 'v';
    room -= line(`X-H${i.toString(36)}`, 'v');
  }
  return [
    checked('URL 8 KB: many distinct parameters', query(base, (i) => `${name(i)}=${i}`, '&', '')),
    checked('URL 8 KB: a&a&a...', query(base, () => 'a', '&')),
    // One parameter, `lang` (the bench's custom case reads it with querystring.get).
    checked('URL 8 KB: one value of raw " 中%"', query(base, (i) => (i === 0 ? 'lang=' : ['%', ' ', '中'][i % 3]), '', ' ')),
    checked('URL 8 KB: one value of "%20%E4%B8%AD%25"', query(base, (i) => (i === 0 ? 'lang=' : '%20%E4%B8%AD%25'), '', 'a')),
    checked('URL 8 KB: one value of "+" (spaces, form-encoded)', query(base, (i) => (i === 0 ? 'lang=' : '+'))),
    checked('URL 8 KB: one value of "a+"', query(base, (i) => (i === 0 ? 'lang=' : i % 2 ? 'a' : '+'))),
    checked('URL 8 KB: one value of "+%20" and a bad escape last', query(base, (i) => (i === 0 ? 'lang=' : i % 2 ? '+' : '%20'), '', '%')),
    checked('URL 8 KB: one value of lone surrogates', query(base, (i) => (i === 0 ? 'lang=' : '\ud800'), '', 'a')),
    checked('URL 8 KB: long path', { ...base, uri: `/${fill(MAX_URL - 1, (i) => `s${i % 10}/`)}` }),
    checked('URL 8 KB: path of slashes', { ...base, uri: fill(MAX_URL, () => '/') }),
    checked('URL 8 KB: path of raw " 中%"', { ...base, uri: `/${fill(MAX_URL - 1, (i) => ['%', ' ', '中'][i % 3], '', ' ')}` }),
    checked('headers 20 KB: one long header', { ...base, headers: { ...base.headers, 'X-Long': 'a'.repeat(headerRoom(base, 'X-Long')) } }),
    checked('headers 20 KB: many headers', { ...base, headers: { ...base.headers, ...manyHeaders } }),
    checked('headers 20 KB: one header sent many times', { ...base, headers: { ...base.headers, 'X-Rep': repeated } }),
    checked('headers 20 KB: many cookies', { ...cookieBase, cookies }),
    checked('headers 20 KB: one long cookie (uid)', { ...base, cookies: { uid: 'u'.repeat(headerRoom(base, 'Cookie') - 4) } }),
    checked('Basic 20 KB: longest credentials', { ...base, headers: { ...base.headers, Authorization: longestBasic(base, 'alice', 'p') } }),
    checked('Basic 20 KB: non-ASCII credentials', { ...base, headers: { ...base.headers, Authorization: longestBasic(base, 'ünïcødé', '中') } }),
    checked('Basic 20 KB: base64 but for the last character', { ...base, headers: { ...base.headers, Authorization: `Basic ${'A'.repeat(headerRoom(base, 'Authorization') - 7)}!` } }),
    checked('Basic: Authorization sent many times', { ...base, headers: { ...base.headers, Authorization: basicRepeated } }),
    checked('Bearer 20 KB: garbage token of 3 segments', { ...base, headers: { ...base.headers, Authorization: `Bearer ${threeSegments(headerRoom(base, 'Authorization') - 7)}` } }),
  ];
}

/** Worst viewer-response events: the longest request headers, and the longest origin responses. */
export function worstResponses() {
  const base = req({ uri: '/de/p' });
  const manyHeaders = {};
  const room = MAX_REQUEST - responseBytes(res({}));
  for (let i = 0, used = 0; used + line(`X-O${i.toString(36)}`, 'v') <= room; used += line(`X-O${i.toString(36)}`, 'v'), i++) manyHeaders[`X-O${i.toString(36)}`] = 'v';
  const setCookies = [];
  for (let i = 0, used = 0; used + line('Set-Cookie', `k${i.toString(36)}=v; Path=/`) <= room; used += line('Set-Cookie', `k${i.toString(36)}=v; Path=/`), i++) setCookies.push(`k${i.toString(36)}=v; Path=/`);
  return [
    checked('request 20 KB: one long header', res({ ...base, headers: { ...base.headers, 'X-Long': 'a'.repeat(headerRoom(base, 'X-Long')) } }), 'viewer-response'),
    checked('request 20 KB: URL of many parameters', res(query(base, (i) => `p${i.toString(36)}=${i}`, '&')), 'viewer-response'),
    checked('response 20 KB: many headers', res({ ...req({ uri: '/de/p' }), responseHeaders: manyHeaders }), 'viewer-response'),
    checked('response 20 KB: many Set-Cookie', res({ ...req({ uri: '/de/p' }), responseHeaders: { 'Set-Cookie': setCookies } }), 'viewer-response'),
    checked('response 20 KB: one long header', res({ ...req({ uri: '/de/p' }), responseHeaders: { 'X-Long': 'a'.repeat(room - line('X-Long', '')) } }), 'viewer-response'),
  ];
}

// ---------------------------------------------------------------------------------------------
// jwtVerify

const b64url = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const sign = (input, secret = JWT_SECRET, hash = 'sha256') => createHmac(hash, secret).update(input).digest('base64url');
const jwt = (header, claims, secret) => {
  const input = `${b64url(header)}.${b64url(claims)}`;
  return `${input}.${sign(input, secret)}`;
};
const bearer = (token) => req({ uri: '/api/orders', headers: { Authorization: `Bearer ${token}` } });
const exp = Math.floor(Date.now() / 1000) + 10 * 365 * 86400;

/** `a.b.c` of base64url characters, `n` characters long. */
function threeSegments(n) {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let s = '';
  for (let i = 0; s.length < n; i++) s += abc[(i * 7919) % 64];
  const a = Math.floor(n / 3);
  return `${s.slice(0, a)}.${s.slice(a + 1, 2 * a)}.${s.slice(2 * a + 1, n)}`;
}

/**
 * Tokens of the jwtVerify HS256 case: `valid` (the typical requests), `worst` (valid but as long
 * as accepted) and `forged` (each must cost at most FORGED_MAX_RATIO times a valid one).
 */
export function jwtRequests() {
  const header = { alg: 'HS256', typ: 'JWT' };
  const claims = { sub: 'user-1842', iss: 'https://auth.example.com', aud: 'shop', iat: exp - 3600, exp, scope: 'orders:read orders:write', email: 'alice@example.com' };
  const valid = [bearer(jwt(header, { sub: 'user-1842', exp })), bearer(jwt(header, claims))].map((init, i) => ({ label: `valid ${i}`, init }));
  // The longest token jwtVerify accepts (maxTokenLength, default 8,192): claims padded.
  const longest = (() => {
    let pad = 8192 - jwt(header, { ...claims, pad: '' }).length;
    let t;
    do t = jwt(header, { ...claims, pad: 'x'.repeat(Math.floor(pad-- * 3 / 4)) }); while (t.length > 8192);
    return t;
  })();
  const badSig = (t) => `${t.slice(0, t.lastIndexOf('.'))}.${sign('forged', 'not-the-secret-not-the-secret-00')}`;
  // A header segment of at most n characters, padded with an `x` member.
  const bigHeader = (n) => {
    let k = Math.floor((n * 3) / 4);
    while (b64url({ alg: 'HS256', typ: 'JWT', x: 'h'.repeat(k) }).length > n) k--;
    return b64url({ alg: 'HS256', typ: 'JWT', x: 'h'.repeat(k) });
  };
  const payload = b64url({ sub: 'user-1842', exp });
  const h2048 = bigHeader(2048);
  // A claims segment that makes `head.claims.<43>` at most `total` characters.
  const fillPayload = (head, total) => {
    let n = Math.floor(((total - head.length - 45) * 3) / 4);
    while (`${head}.${b64url({ sub: 'user-1842', exp, pad: 'x'.repeat(n) })}.${'x'.repeat(43)}`.length > total) n--;
    return b64url({ sub: 'user-1842', exp, pad: 'x'.repeat(n) });
  };
  const forgedSig = sign('x', 'not-the-secret-not-the-secret-00');
  const garbage = (n) => threeSegments(n).replace(/\./g, 'Q');
  const forged = [
    ['forged: 15 KB header segment, bad signature', `${bigHeader(15 * 1024)}.${payload}.${forgedSig}`],
    ['forged: 8,192 chars, 2,048-char header segment, bad signature', (() => { const h = h2048; const p = fillPayload(h, 8192); return `${h}.${p}.${forgedSig}`; })()],
    ['forged: longest accepted token, bad signature', badSig(longest)],
    ['forged: valid token, bad signature', badSig(jwt(header, claims))],
    ['forged: garbage, 8,192 chars', garbage(8192)],
    ['forged: garbage, 3 segments, 8,192 chars', (() => { const g = garbage(8192 - 44); return `${g.slice(0, 2000)}.${g.slice(2001)}.${forgedSig}`; })()],
    ['forged: garbage, 3 segments, 20 KB', threeSegments(headerRoom(req({ uri: '/api/orders' }), 'Authorization') - 7)],
    ['wrong alg: none, unsigned', `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`],
    ['wrong alg: RS256', `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url(claims)}.${Buffer.alloc(256, 7).toString('base64url')}`],
    ['wrong alg: HS512 (signed with the secret)', (() => { const i = `${b64url({ alg: 'HS512', typ: 'JWT' })}.${b64url(claims)}`; return `${i}.${createHmac('sha512', JWT_SECRET).update(i).digest('base64url')}`; })()],
    ['good signature, claims not JSON', jwt(header, 'not json {')],
    ['expired, good signature', jwt(header, { ...claims, exp: 1000 })],
  ].map(([label, token]) => checked(label, bearer(token)));
  forged.push(checked('forged: a second Authorization value', req({ uri: '/api/orders', headers: { Authorization: [`Bearer ${jwt(header, claims)}`, `Bearer ${badSig(jwt(header, claims))}`] } })));
  return {
    valid,
    worst: [checked('valid: longest accepted token (8,192 chars)', bearer(longest))],
    forged,
  };
}
