import { createHash } from 'node:crypto';
import { ConfigError, defineMiddleware, type Answer, type Middleware, type RequestContext } from '@edgeline/core';
import { isPlainObject, knownOptions, named, ownKeysOnly, repr } from '../lib/options.js';

/** `{ name: password }`: hashed when the factory runs; neither reaches the artifact. */
export type BasicAuthUsers = Record<string, string>;
/** The users in the function's KeyValueStore (cloudfront-js-2.0): key = user name, value = sha256 hex of `name:password`. */
export interface BasicAuthKvsUsers {
  kvs: true;
}

export interface BasicAuthOptions<U extends BasicAuthUsers | BasicAuthKvsUsers = BasicAuthUsers | BasicAuthKvsUsers> {
  /** `{ name: password }`, or `{ kvs: true }` to look each user up in the KeyValueStore (cloudfront-js-2.0). */
  users: U;
  /** The realm of the `WWW-Authenticate` challenge: printable ASCII without `"` or `\`. Default `Restricted`. */
  realm?: string;
}

type BasicAuthConfig = {
  /**
   * The sha256 hex digest of each `name:password` (lower case, 64 characters), one after the
   * other in one string: the artifact inlines it as a literal, with no table to build.
   */
  hashes: string;
  /** `Basic realm="..."`. */
  challenge: string;
  /** Longest Authorization value looked at: a longer one is a 401 before a byte is decoded. */
  maxLength: number;
};
type BasicAuthKvsConfig = { challenge: string; maxLength: number };

const OPTIONS = ['users', 'realm'];
/**
 * Characters of `Authorization: Basic <base64>` read at most: 1,536 bytes of `name:password`,
 * ten times what a password manager fills in. Anything longer is refused before decoding.
 */
const MAX_AUTHORIZATION_LENGTH = 2054;
/** A KeyValueStore key is at most 512 bytes (Quotas on CloudFront Functions). */
const MAX_KVS_KEY_BYTES = 512;

/**
 * Password-protects a site (staging, previews) with HTTP Basic authentication (RFC 7617).
 * A request without exactly one well-formed `Authorization: Basic` value of a configured user is
 * answered 401 with `WWW-Authenticate: Basic realm="..."`; a valid one goes on without its
 * Authorization header. Credentials are compared as sha256 hex digests of `name:password`, in
 * constant time; the artifact holds the digests only. Viewer-request, every target; with
 * `users: { kvs: true }`, cloudfront-js-2.0 only.
 * @example edge().use(basicAuth({ users: { preview: process.env.PREVIEW_PASSWORD! }, realm: 'Staging' }))
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-javascript-runtime-20.html
 */
export function basicAuth(options: BasicAuthOptions<BasicAuthKvsUsers>): Middleware<'crypto:hash' | 'kvs' | 'async'>;
export function basicAuth(options: BasicAuthOptions<BasicAuthUsers>): Middleware<'crypto:hash'>;
export function basicAuth(options: BasicAuthOptions): Middleware<'crypto:hash' | 'kvs' | 'async'>;
export function basicAuth(options: BasicAuthOptions): Middleware<'crypto:hash' | 'kvs' | 'async'> {
  return named('basicAuth', () => build(options));
}

function build(options: BasicAuthOptions): Middleware<'crypto:hash' | 'kvs' | 'async'> {
  const o = knownOptions(options, OPTIONS, 'basicAuth');
  if (o.users === undefined) throw new ConfigError('users', "expected { name: password } or { kvs: true }");
  const challenge = `Basic realm="${realmOption(o.realm)}"`;
  const onError = { status: 401, statusDescription: 'Unauthorized', headers: { 'WWW-Authenticate': challenge } };
  const users = o.users;
  if (!isPlainObject(users)) throw new ConfigError('users', `expected { name: password } or { kvs: true }, got ${repr(users)}`);
  ownKeysOnly('users', users);
  if (users.kvs === true) {
    if (Object.keys(users).length !== 1) throw new ConfigError('users', '{ kvs: true } reads every user from the KeyValueStore: give no other user beside it');
    const config: BasicAuthKvsConfig = { challenge, maxLength: MAX_AUTHORIZATION_LENGTH };
    return defineMiddleware<'crypto:hash' | 'kvs' | 'async', BasicAuthKvsConfig>({
      name: 'basicAuth', needs: ['crypto:hash', 'kvs', 'async'], config, onError, request: basicAuthKvsRequest,
    });
  }
  const names = Object.keys(users);
  if (!names.length) throw new ConfigError('users', 'no user: give at least one { name: password }');
  const hashes = names.map((name) => {
    const password = passwordOption(`users.${name}`, users[name]);
    const credentials = `${userName('users', name)}:${password}`;
    // `Basic ` and the base64 of the credentials must fit the bound, or the user could never sign in.
    if (6 + 4 * Math.ceil(Buffer.byteLength(credentials) / 3) > MAX_AUTHORIZATION_LENGTH) {
      throw new ConfigError(`users.${name}`, `name and password are too long: at most ${((MAX_AUTHORIZATION_LENGTH - 6) / 4) * 3} bytes together`);
    }
    return createHash('sha256').update(credentials).digest('hex');
  });
  const config: BasicAuthConfig = { hashes: hashes.join(''), challenge, maxLength: MAX_AUTHORIZATION_LENGTH };
  return defineMiddleware<'crypto:hash', BasicAuthConfig>({ name: 'basicAuth', needs: ['crypto:hash'], config, onError, request: basicAuthRequest });
}

function realmOption(value: unknown): string {
  if (value === undefined) return 'Restricted';
  if (typeof value !== 'string' || !value) throw new ConfigError('realm', `expected a non-empty string, got ${repr(value)}`);
  // It goes inside a quoted-string of a header: no quote or backslash to escape, no CR/LF or
  // other control character, and ASCII only (CloudFront refuses other header bytes).
  if (!/^[\x20-\x7e]+$/.test(value) || /["\\]/.test(value)) {
    throw new ConfigError('realm', `${repr(value)}: a realm holds printable ASCII characters other than '"' and '\\' only`);
  }
  if (value.length > 256) throw new ConfigError('realm', 'at most 256 characters');
  return value;
}

/** RFC 7617: a user-id holds no colon and no control character. Text that UTF-8 can encode. */
function userName(option: string, name: unknown): string {
  if (typeof name !== 'string' || !name) throw new ConfigError(option, `expected a non-empty user name, got ${repr(name)}`);
  if (name.indexOf(':') >= 0) throw new ConfigError(option, `user name ${repr(name)} holds a ':' (Basic credentials end the name at the first one)`);
  checkText(option, name, `user name ${repr(name)}`);
  if (Buffer.byteLength(name) > MAX_KVS_KEY_BYTES) throw new ConfigError(option, `user name ${repr(name.slice(0, 20) + '...')} is over ${MAX_KVS_KEY_BYTES} bytes`);
  return name;
}

function passwordOption(option: string, password: unknown): string {
  if (typeof password !== 'string') throw new ConfigError(option, `expected the password as a string, got ${repr(password)}`);
  if (!password) throw new ConfigError(option, 'an empty password protects nothing');
  checkText(option, password, 'the password');
  return password;
}

function checkText(option: string, text: string, what: string): void {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(text)) throw new ConfigError(option, `${what} holds a control character (RFC 7617)`);
  // A lone surrogate has no UTF-8 form: a browser could never send it.
  if (Buffer.from(text).toString() !== text) throw new ConfigError(option, `${what} is not valid Unicode (a lone surrogate)`);
}

// The two hooks are lowered as source text (CloudFront Functions 1.0 is ES5, with neither atob
// nor Buffer), each on its own: they share no code at the edge. `credentials` is the same text in
// both (a test holds them to it), and the decoder is cacheKeyFromBasicAuth's.

function basicAuthRequest(ctx: RequestContext, config: BasicAuthConfig): Answer | undefined {
  function deny(): Answer {
    return ctx.respond({ status: 401, statusDescription: 'Unauthorized', headers: { 'WWW-Authenticate': config.challenge } });
  }
  // `user:password` of an `Authorization: Basic` value as text, or null for anything malformed.
  function credentials(auth: string, maxLength: number): string | null {
    // The cheap checks first: an oversized value is refused before a byte of it is decoded.
    // `Basic <base64(user:password)>`, scheme case-insensitive (RFC 7617).
    if (auth.length > maxLength || auth.length < 7 || auth.charCodeAt(5) !== 32 || auth.slice(0, 5).toLowerCase() !== 'basic') return null;
    const b64 = auth.slice(6).trim();
    // Standard alphabet; `=` padding only at the end, and then to a multiple of 4.
    let n = b64.length;
    while (n > 0 && b64.charCodeAt(n - 1) === 61) n--;
    if (n === 0 || b64.length - n > 2 || (n !== b64.length && b64.length % 4 !== 0)) return null;
    // Four characters to three bytes, kept as numbers: njs finds the i-th character of a string
    // holding non-ASCII characters by walking it, so no loop indexes the decoded text (quadratic).
    const out: number[] = [];
    let w = 0;
    let k = 0;
    let high = 0;
    for (let i = 0; i < n; i++) {
      const c = b64.charCodeAt(i);
      // A-Z 0-25, a-z 26-51, 0-9 52-61, '+' 62, '/' 63; anything else is malformed.
      const v = c > 96 ? (c < 123 ? c - 71 : -1) : c > 64 ? (c < 91 ? c - 65 : -1) : c > 47 ? (c < 58 ? c + 4 : -1) : c === 43 ? 62 : c === 47 ? 63 : -1;
      if (v < 0) return null;
      w = (w << 6) | v;
      if (++k === 4) {
        out.push(w >> 16, (w >> 8) & 255, w & 255);
        high |= w;
        w = 0;
        k = 0;
      }
    }
    if (k === 1) return null;
    if (k === 2) out.push(w >> 4);
    else if (k === 3) out.push(w >> 10, (w >> 2) & 255);
    // The last one or two bytes, after the whole groups: a byte over 127 anywhere is not ASCII.
    if (k > 1) high |= out[out.length - 1] | out[out.length - k + 1];
    // A colon byte never occurs inside a UTF-8 sequence: the user name is everything before the first.
    if (out.indexOf(58) <= 0) return null;
    // ASCII: one fromCharCode per 1000 bytes (njs's apply takes at most 1024 values). UTF-8:
    // percent-encoded and decoded by decodeURIComponent, which refuses what is not UTF-8; one join.
    const parts: string[] = [];
    if (!(high & 0x808080)) {
      for (let i = 0; i < out.length; i += 1000) parts.push(String.fromCharCode.apply(null, out.slice(i, i + 1000)));
      return parts.join('');
    }
    for (let i = 0; i < out.length; i++) parts.push(out[i] > 127 || out[i] === 37 ? '%' + out[i].toString(16) : String.fromCharCode(out[i]));
    try {
      return decodeURIComponent(parts.join(''));
    } catch (e) {
      return null;
    }
  }
  const headers = ctx.request.headers;
  // One Authorization value: a second one could reach the origin unchecked.
  const all = headers.getAll('authorization');
  if (all.length !== 1) return deny();
  const given = credentials(all[0], config.maxLength);
  if (given === null) return deny();
  const digest: string = require('crypto').createHash('sha256').update(given).digest('hex');
  // Constant time: every character of every stored digest is compared, whatever matches.
  const hashes = config.hashes;
  let ok = 0;
  for (let u = 0; u < hashes.length; u += 64) {
    let diff = 0;
    for (let i = 0; i < 64; i++) diff |= hashes.charCodeAt(u + i) ^ digest.charCodeAt(i);
    // 1 when diff is 0, else 0, without a branch.
    ok |= (diff - 1) >>> 31;
  }
  if (!ok) return deny();
  // The origin never sees the password.
  headers.delete('authorization');
  return undefined;
}

function basicAuthKvsRequest(ctx: RequestContext, config: BasicAuthKvsConfig): Answer | Promise<Answer | undefined> {
  function deny(): Answer {
    return ctx.respond({ status: 401, statusDescription: 'Unauthorized', headers: { 'WWW-Authenticate': config.challenge } });
  }
  // `user:password` of an `Authorization: Basic` value as text, or null for anything malformed.
  function credentials(auth: string, maxLength: number): string | null {
    // The cheap checks first: an oversized value is refused before a byte of it is decoded.
    // `Basic <base64(user:password)>`, scheme case-insensitive (RFC 7617).
    if (auth.length > maxLength || auth.length < 7 || auth.charCodeAt(5) !== 32 || auth.slice(0, 5).toLowerCase() !== 'basic') return null;
    const b64 = auth.slice(6).trim();
    // Standard alphabet; `=` padding only at the end, and then to a multiple of 4.
    let n = b64.length;
    while (n > 0 && b64.charCodeAt(n - 1) === 61) n--;
    if (n === 0 || b64.length - n > 2 || (n !== b64.length && b64.length % 4 !== 0)) return null;
    // Four characters to three bytes, kept as numbers: njs finds the i-th character of a string
    // holding non-ASCII characters by walking it, so no loop indexes the decoded text (quadratic).
    const out: number[] = [];
    let w = 0;
    let k = 0;
    let high = 0;
    for (let i = 0; i < n; i++) {
      const c = b64.charCodeAt(i);
      // A-Z 0-25, a-z 26-51, 0-9 52-61, '+' 62, '/' 63; anything else is malformed.
      const v = c > 96 ? (c < 123 ? c - 71 : -1) : c > 64 ? (c < 91 ? c - 65 : -1) : c > 47 ? (c < 58 ? c + 4 : -1) : c === 43 ? 62 : c === 47 ? 63 : -1;
      if (v < 0) return null;
      w = (w << 6) | v;
      if (++k === 4) {
        out.push(w >> 16, (w >> 8) & 255, w & 255);
        high |= w;
        w = 0;
        k = 0;
      }
    }
    if (k === 1) return null;
    if (k === 2) out.push(w >> 4);
    else if (k === 3) out.push(w >> 10, (w >> 2) & 255);
    // The last one or two bytes, after the whole groups: a byte over 127 anywhere is not ASCII.
    if (k > 1) high |= out[out.length - 1] | out[out.length - k + 1];
    // A colon byte never occurs inside a UTF-8 sequence: the user name is everything before the first.
    if (out.indexOf(58) <= 0) return null;
    // ASCII: one fromCharCode per 1000 bytes (njs's apply takes at most 1024 values). UTF-8:
    // percent-encoded and decoded by decodeURIComponent, which refuses what is not UTF-8; one join.
    const parts: string[] = [];
    if (!(high & 0x808080)) {
      for (let i = 0; i < out.length; i += 1000) parts.push(String.fromCharCode.apply(null, out.slice(i, i + 1000)));
      return parts.join('');
    }
    for (let i = 0; i < out.length; i++) parts.push(out[i] > 127 || out[i] === 37 ? '%' + out[i].toString(16) : String.fromCharCode(out[i]));
    try {
      return decodeURIComponent(parts.join(''));
    } catch (e) {
      return null;
    }
  }
  const headers = ctx.request.headers;
  // One Authorization value: a second one could reach the origin unchecked.
  const all = headers.getAll('authorization');
  if (all.length !== 1) return deny();
  const given = credentials(all[0], config.maxLength);
  if (given === null) return deny();
  const user = given.slice(0, given.indexOf(':'));
  // A KeyValueStore key is at most 512 bytes: a longer name is no user and costs no read (a
  // name of 171 to 512 characters that is over 512 bytes makes the read fail: a deny as well).
  if (user.length > 512) return deny();
  const digest: string = require('crypto').createHash('sha256').update(given).digest('hex');
  // A missing key reads as undefined: deny.
  return ctx.kvs(user).then(function (stored) {
    if (typeof stored !== 'string' || stored.length !== 64) return deny();
    const hash = stored.toLowerCase();
    // Constant time: every character is compared whatever the first difference.
    let diff = 0;
    for (let i = 0; i < 64; i++) diff |= hash.charCodeAt(i) ^ digest.charCodeAt(i);
    if (diff !== 0) return deny();
    headers.delete('authorization');
    return undefined;
  }, deny);
}
