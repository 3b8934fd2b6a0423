import { ConfigError, defineMiddleware, type CfRuntime, type Middleware, type RequestContext } from '@edgeline/core';
import { knownOptions, named, oneOf, writtenHeaderOption } from '../lib/options.js';

export interface CacheKeyFromBasicAuthOptions {
  /** The request header that receives the digest (include it in the cache policy). Default `username-cache-key`. */
  header?: string;
  /** Default `md5`. */
  hash?: 'md5' | 'sha1' | 'sha256';
  /**
   * What the digest is of: `'credentials'` (default), the whole `user:password`; `'user'`, the user
   * name alone, so that a wrong password shares the user's cache entries: anyone who knows a user
   * name is served that user's cached objects. Use `'user'` only where the cache policy also keys
   * on something the viewer cannot guess.
   */
  keyFrom?: 'credentials' | 'user';
}

type CacheKeyConfig = { header: string; hash: 'md5' | 'sha1' | 'sha256'; keyFrom: 'credentials' | 'user' };

const OPTIONS = ['header', 'hash', 'keyFrom'];

/** What `edge build` prints for `keyFrom: 'user'`. */
export const USER_KEY_WARNING =
  "keyFrom: 'user' keys the cache on the user name alone: a request with that user name and any password " +
  'is served the cached objects of that user (the origin checks the password only on a cache miss). ' +
  "Use the default keyFrom: 'credentials' unless the cache policy also keys on something a viewer cannot guess.";

/**
 * Puts the hex digest of the Basic auth credentials (`user:password`) in a request header, so a
 * cache policy that keys on that header gives each user their own cached copy without the
 * password in the key, and a wrong password never shares the right one's entries.
 * Any incoming value of the header is removed first: a client never chooses its cache key.
 * It does not check the password: the origin still authenticates. Viewer-request, every target.
 * @example edge().use(cacheKeyFromBasicAuth({ header: 'username-cache-key', hash: 'sha256' }))
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/controlling-the-cache-key.html
 */
export function cacheKeyFromBasicAuth(options: CacheKeyFromBasicAuthOptions = {}): Middleware<'crypto:hash'> {
  return named('cacheKeyFromBasicAuth', () => build(options));
}

function build(options: CacheKeyFromBasicAuthOptions): Middleware<'crypto:hash'> {
  const o = knownOptions(options, OPTIONS, 'cacheKeyFromBasicAuth');
  const header = o.header === undefined ? 'username-cache-key' : writtenHeaderOption('header', o.header, ['viewer-request']);
  if (header === 'cloudfront-viewer-country') {
    throw new ConfigError('header', `'${header}' is read by CloudFront or by this middleware: choose a header of its own`);
  }
  const config: CacheKeyConfig = {
    header,
    hash: o.hash === undefined ? 'md5' : oneOf('hash', o.hash, ['md5', 'sha1', 'sha256'] as const),
    keyFrom: o.keyFrom === undefined ? 'credentials' : oneOf('keyFrom', o.keyFrom, ['credentials', 'user'] as const),
  };
  return defineMiddleware({
    name: 'cacheKeyFromBasicAuth',
    needs: ['crypto:hash'],
    config,
    warnings: config.keyFrom === 'user' ? [USER_KEY_WARNING] : [],
    request: cacheKeyFromBasicAuthRequest,
    direct: {
      cff: (c, runtime) => ({ request: cacheKeyFromBasicAuthCff(c, runtime), safe: true }),
      lambda: (c) => ({ request: cacheKeyFromBasicAuthLambda(c), safe: true }),
    },
  });
}

/**
 * The CloudFront Function an expert writes: the runtime's own base64 decoder (String.bytesFrom
 * on 1.0, Buffer on 2.0) after a regex that accepts exactly what the hook below accepts, so the
 * decoder never sees malformed input. Credentials (or a user name) that are not UTF-8 get no key, as below.
 */
function cacheKeyFromBasicAuthCff(config: CacheKeyConfig, runtime: CfRuntime): string {
  const header = JSON.stringify(config.header);
  const user = config.keyFrom === 'user';
  const decode = runtime === 'cloudfront-js-1.0'
    ? `var key = String.bytesFrom(b64, 'base64'), colon = key.indexOf(':');
  if (colon <= 0 || !(key = key${user ? '.slice(0, colon)' : ''}.fromUTF8())) return request;`
    : `var bytes = Buffer.from(b64, 'base64'), colon = bytes.indexOf(58);
  if (colon <= 0) return request;
  var raw = ${user ? 'bytes.subarray(0, colon)' : 'bytes'}, key = raw.toString();
  if (!Buffer.from(key).equals(raw)) return request;`;
  // Base64 as the hook accepts it: the alphabet, at most two '=' and then a length that is a
  // multiple of 4, and never 4n+1 characters (they cannot encode whole bytes). The regex looks
  // for a character out of place, as it must fail on hostile input: /^[...]+={0,2}$/ backtracks
  // over the whole value when its last character is wrong (0.47 ms in njs for 20 KB, 16x this).
  // ('' passes it and decodes to no colon: no key, as the hook.)
  return `function (request) {
  var headers = request.headers, auth = headers.authorization;
  delete headers[${header}];
  if (!auth || auth.value.slice(0, 6).toLowerCase() !== 'basic ') return request;
  var b64 = auth.value.slice(6).trim(), n = b64.length;
  if (/[^A-Za-z0-9+\/=]|=[^=]|={3}/.test(b64) || n % 4 === 1 || (b64[n - 1] === '=' && n % 4)) return request;
  ${decode}
  headers[${header}] = { value: require('crypto').createHash(${JSON.stringify(config.hash)}).update(key).digest('hex') };
  return request;
}`;
}

// Lowered as source text to ES5 (CloudFront Functions 1.0, which has neither atob nor Buffer):
// the base64 decoder is written out here and answers null instead of throwing.
function cacheKeyFromBasicAuthRequest(ctx: RequestContext, config: CacheKeyConfig): undefined {
  const headers = ctx.request.headers;
  headers.delete(config.header);
  const auth = headers.get('authorization');
  // `Basic <base64(user:password)>`, scheme case-insensitive (RFC 7617).
  if (!auth || auth.length < 7 || auth.charCodeAt(5) !== 32 || auth.slice(0, 5).toLowerCase() !== 'basic') return undefined;
  const b64 = auth.slice(6).trim();
  // Standard alphabet; `=` padding only at the end, and then to a multiple of 4.
  let n = b64.length;
  while (n > 0 && b64.charCodeAt(n - 1) === 61) n--;
  if (n === 0 || b64.length - n > 2 || (n !== b64.length && b64.length % 4 !== 0)) return undefined;
  // Four characters to three bytes, kept as numbers: njs finds the i-th character of a string
  // holding non-ASCII characters by walking it, so no loop indexes the decoded text (quadratic).
  const out: number[] = [];
  let w = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const c = b64.charCodeAt(i);
    // A-Z 0-25, a-z 26-51, 0-9 52-61, '+' 62, '/' 63; anything else is malformed.
    const v = c > 96 ? (c < 123 ? c - 71 : -1) : c > 64 ? (c < 91 ? c - 65 : -1) : c > 47 ? (c < 58 ? c + 4 : -1) : c === 43 ? 62 : c === 47 ? 63 : -1;
    if (v < 0) return undefined;
    w = (w << 6) | v;
    if (++k === 4) {
      out.push(w >> 16, (w >> 8) & 255, w & 255);
      w = 0;
      k = 0;
    }
  }
  if (k === 1) return undefined;
  if (k === 2) out.push(w >> 4);
  else if (k === 3) out.push(w >> 10, (w >> 2) & 255);
  // A colon byte never occurs inside a UTF-8 sequence: the user name is everything before the first.
  const colon = out.indexOf(58);
  if (colon <= 0) return undefined;
  const end = config.keyFrom === 'user' ? colon : out.length;
  let ascii = true;
  for (let i = 0; i < end && ascii; i++) ascii = out[i] < 128;
  // ASCII: one fromCharCode per 1000 bytes (njs's apply takes at most 1024 arguments). UTF-8:
  // percent-encoded and decoded by decodeURIComponent, which refuses what is not UTF-8; one join.
  const parts: string[] = [];
  if (ascii) {
    for (let i = 0; i < end; i += 1000) parts.push(String.fromCharCode.apply(null, out.slice(i, Math.min(i + 1000, end))));
  } else {
    for (let i = 0; i < end; i++) parts.push(out[i] > 127 || out[i] === 37 ? '%' + out[i].toString(16) : String.fromCharCode(out[i]));
  }
  let key = parts.join('');
  if (!ascii) {
    try {
      key = decodeURIComponent(key);
    } catch (e) {
      return undefined;
    }
  }
  headers.set(config.header, require('crypto').createHash(config.hash).update(key).digest('hex'));
  return undefined;
}

/**
 * The Lambda@Edge handler an expert writes: Buffer decodes, after the same base64 regex as on
 * CloudFront; the bytes are hashed as they are once buffer.isUtf8 (Node >= 18.14) accepts them.
 */
function cacheKeyFromBasicAuthLambda(config: CacheKeyConfig): string {
  const header = JSON.stringify(config.header);
  return `function (request) {
  var headers = request.headers, auth = headers.authorization;
  delete headers[${header}];
  if (!auth || !auth.length || auth[0].value.slice(0, 6).toLowerCase() !== 'basic ') return request;
  var b64 = auth[0].value.slice(6).trim(), n = b64.length;
  if (!/^[A-Za-z0-9+\/]+={0,2}$/.test(b64) || n % 4 === 1 || (b64[n - 1] === '=' && n % 4)) return request;
  var bytes = Buffer.from(b64, 'base64'), colon = bytes.indexOf(58);
  if (colon <= 0) return request;
  var key = ${config.keyFrom === 'user' ? 'bytes.subarray(0, colon)' : 'bytes'};
  if (!require('buffer').isUtf8(key)) return request;
  headers[${header}] = [{ key: ${header}, value: require('crypto').createHash(${JSON.stringify(config.hash)}).update(key).digest('hex') }];
  return request;
}`;
}
