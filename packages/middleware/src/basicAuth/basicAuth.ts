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
  /**
   * The sha256 hex digest of the base64 of each `name:password` as a browser sends it (padded),
   * in the same form: a signed-in request is let in without decoding. As little a secret as `hashes`.
   */
  encoded: string;
  /** `Basic realm="..."`. */
  challenge: string;
  /** Longest Authorization value looked at: a longer one is a 401 before a byte is decoded. */
  maxLength: number;
  /** Each base64 character's value (`A` 0 ... `/` 63), the decoder's table. */
  base64: Record<string, number>;
};
type BasicAuthKvsConfig = { challenge: string; maxLength: number; base64: Record<string, number> };

const OPTIONS = ['users', 'realm'];
/**
 * Characters of `Authorization: Basic <base64>` read at most: 1,536 bytes of `name:password`,
 * ten times what a password manager fills in. Anything longer is refused before decoding.
 */
const MAX_AUTHORIZATION_LENGTH = 2054;
/** A KeyValueStore key is at most 512 bytes (Quotas on CloudFront Functions). */
const MAX_KVS_KEY_BYTES = 512;
const BASE64: Record<string, number> = {};
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((c, i) => (BASE64[c] = i));

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
    const config: BasicAuthKvsConfig = { challenge, maxLength: MAX_AUTHORIZATION_LENGTH, base64: BASE64 };
    return defineMiddleware<'crypto:hash' | 'kvs' | 'async', BasicAuthKvsConfig>({
      name: 'basicAuth', needs: ['crypto:hash', 'kvs', 'async'], config, onError, request: basicAuthKvsRequest,
    });
  }
  const names = Object.keys(users);
  if (!names.length) throw new ConfigError('users', 'no user: give at least one { name: password }');
  const encoded: string[] = [];
  const hashes = names.map((name) => {
    const password = passwordOption(`users.${name}`, users[name]);
    const credentials = `${userName('users', name)}:${password}`;
    // `Basic ` and the base64 of the credentials must fit the bound, or the user could never sign in.
    if (6 + 4 * Math.ceil(Buffer.byteLength(credentials) / 3) > MAX_AUTHORIZATION_LENGTH) {
      throw new ConfigError(`users.${name}`, `name and password are too long: at most ${((MAX_AUTHORIZATION_LENGTH - 6) / 4) * 3} bytes together`);
    }
    encoded.push(createHash('sha256').update(Buffer.from(credentials).toString('base64')).digest('hex'));
    return createHash('sha256').update(credentials).digest('hex');
  });
  const config: BasicAuthConfig = { hashes: hashes.join(''), encoded: encoded.join(''), challenge, maxLength: MAX_AUTHORIZATION_LENGTH, base64: BASE64 };
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
// both (a test holds them to it); it accepts what cacheKeyFromBasicAuth's decoder accepts.

function basicAuthRequest(ctx: RequestContext, config: BasicAuthConfig): Answer | undefined {
  function deny(): Answer {
    return ctx.respond({ status: 401, statusDescription: 'Unauthorized', headers: { 'WWW-Authenticate': config.challenge } });
  }
  // `user:password` of the base64 of `Authorization: Basic <base64>` as text, or null for anything malformed.
  function credentials(b64: string, table: Record<string, number>): string | null {
    // Standard alphabet; `=` padding only at the end, and then to a multiple of 4; never 4n+1
    // characters (they cannot encode whole bytes).
    if (!/^[A-Za-z0-9+\/]+={0,2}$/.test(b64)) return null;
    let n = b64.length;
    while (b64.charCodeAt(n - 1) === 61) n--;
    if (n % 4 === 1 || (n !== b64.length && b64.length % 4 !== 0)) return null;
    // Four characters to three bytes, kept as numbers: njs finds the i-th character of a string
    // holding non-ASCII characters by walking it, so no loop indexes the decoded text (quadratic).
    // A loop step costs more than a table lookup in njs: four characters a step.
    const out: number[] = [];
    let w = 0;
    let high = 0;
    let i = 0;
    for (; i + 3 < n; i += 4) {
      w = (table[b64[i]] << 18) | (table[b64[i + 1]] << 12) | (table[b64[i + 2]] << 6) | table[b64[i + 3]];
      out.push(w >> 16, (w >> 8) & 255, w & 255);
      high |= w;
    }
    if (n - i === 2) {
      w = (table[b64[i]] << 2) | (table[b64[i + 1]] >> 4);
      out.push(w);
      high |= w;
    } else if (n - i === 3) {
      w = (table[b64[i]] << 10) | (table[b64[i + 1]] << 4) | (table[b64[i + 2]] >> 2);
      out.push(w >> 8, w & 255);
      high |= w;
    }
    // A colon byte never occurs inside a UTF-8 sequence: the user name is everything before the first.
    if (out.indexOf(58) <= 0) return null;
    // ASCII (no byte over 127): one fromCharCode per 1000 bytes (njs's apply takes at most 1024
    // values). UTF-8: percent-encoded and decoded by decodeURIComponent, which refuses what is
    // not UTF-8; one join.
    const parts: string[] = [];
    if (!(high & 0x808080)) {
      for (i = 0; i < out.length; i += 1000) parts.push(String.fromCharCode.apply(null, out.slice(i, i + 1000)));
      return parts.join('');
    }
    for (i = 0; i < out.length; i++) parts.push(out[i] > 127 || out[i] === 37 ? '%' + out[i].toString(16) : String.fromCharCode(out[i]));
    try {
      return decodeURIComponent(parts.join(''));
    } catch (e) {
      return null;
    }
  }
  // Whether `digest` (64 hex digits) is one of `hashes` (64 each, one after the other), in
  // constant time: all of every one is compared, whatever matches, eight hex digits (32 bits) a
  // step (a loop step costs njs as much as a few calls).
  function known(digest: string, hashes: string): boolean {
    let ok = false;
    for (let u = 0; u < hashes.length; u += 64) {
      let diff = 0;
      for (let i = 0; i < 64; i += 8) diff |= parseInt(hashes.slice(u + i, u + i + 8), 16) ^ parseInt(digest.slice(i, i + 8), 16);
      if (diff === 0) ok = true;
    }
    return ok;
  }
  const headers = ctx.request.headers;
  // One Authorization value: a second one could reach the origin unchecked.
  const all = headers.getAll('authorization');
  if (all.length !== 1) return deny();
  // The cheap checks first: an oversized value is refused before a byte of it is decoded.
  // `Basic <base64(user:password)>`, scheme case-insensitive (RFC 7617).
  const auth = all[0];
  if (auth.length > config.maxLength || auth.length < 7 || auth.charCodeAt(5) !== 32 || auth.slice(0, 5).toLowerCase() !== 'basic') return deny();
  const b64 = auth.slice(6).trim();
  const crypto = require('crypto');
  // Canonical base64 (RFC 4648: padded, the bits after the last byte 0), as browsers send it, is
  // the one encoding of its bytes: its digest, compared as it comes, decides without decoding
  // (decoding costs njs ~1,200 instructions a character). Other text (unpadded, say) is decoded
  // and its credentials looked for, as the KeyValueStore variant does.
  const n = b64.length;
  const pad = b64.charCodeAt(n - 1) === 61 ? (b64.charCodeAt(n - 2) === 61 ? 2 : 1) : 0;
  const canonical = n % 4 === 0 && (pad === 0 || (config.base64[b64[n - 1 - pad]] & (pad === 2 ? 15 : 3)) === 0);
  if (!known(crypto.createHash('sha256').update(b64).digest('hex'), config.encoded)) {
    if (canonical) return deny();
    const given = credentials(b64, config.base64);
    if (given === null || !known(crypto.createHash('sha256').update(given).digest('hex'), config.hashes)) return deny();
  }
  // The origin never sees the password.
  headers.delete('authorization');
  return undefined;
}

function basicAuthKvsRequest(ctx: RequestContext, config: BasicAuthKvsConfig): Answer | Promise<Answer | undefined> {
  function deny(): Answer {
    return ctx.respond({ status: 401, statusDescription: 'Unauthorized', headers: { 'WWW-Authenticate': config.challenge } });
  }
  // `user:password` of the base64 of `Authorization: Basic <base64>` as text, or null for anything malformed.
  function credentials(b64: string, table: Record<string, number>): string | null {
    // Standard alphabet; `=` padding only at the end, and then to a multiple of 4; never 4n+1
    // characters (they cannot encode whole bytes).
    if (!/^[A-Za-z0-9+\/]+={0,2}$/.test(b64)) return null;
    let n = b64.length;
    while (b64.charCodeAt(n - 1) === 61) n--;
    if (n % 4 === 1 || (n !== b64.length && b64.length % 4 !== 0)) return null;
    // Four characters to three bytes, kept as numbers: njs finds the i-th character of a string
    // holding non-ASCII characters by walking it, so no loop indexes the decoded text (quadratic).
    // A loop step costs more than a table lookup in njs: four characters a step.
    const out: number[] = [];
    let w = 0;
    let high = 0;
    let i = 0;
    for (; i + 3 < n; i += 4) {
      w = (table[b64[i]] << 18) | (table[b64[i + 1]] << 12) | (table[b64[i + 2]] << 6) | table[b64[i + 3]];
      out.push(w >> 16, (w >> 8) & 255, w & 255);
      high |= w;
    }
    if (n - i === 2) {
      w = (table[b64[i]] << 2) | (table[b64[i + 1]] >> 4);
      out.push(w);
      high |= w;
    } else if (n - i === 3) {
      w = (table[b64[i]] << 10) | (table[b64[i + 1]] << 4) | (table[b64[i + 2]] >> 2);
      out.push(w >> 8, w & 255);
      high |= w;
    }
    // A colon byte never occurs inside a UTF-8 sequence: the user name is everything before the first.
    if (out.indexOf(58) <= 0) return null;
    // ASCII (no byte over 127): one fromCharCode per 1000 bytes (njs's apply takes at most 1024
    // values). UTF-8: percent-encoded and decoded by decodeURIComponent, which refuses what is
    // not UTF-8; one join.
    const parts: string[] = [];
    if (!(high & 0x808080)) {
      for (i = 0; i < out.length; i += 1000) parts.push(String.fromCharCode.apply(null, out.slice(i, i + 1000)));
      return parts.join('');
    }
    for (i = 0; i < out.length; i++) parts.push(out[i] > 127 || out[i] === 37 ? '%' + out[i].toString(16) : String.fromCharCode(out[i]));
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
  // The cheap checks first: an oversized value is refused before a byte of it is decoded.
  // `Basic <base64(user:password)>`, scheme case-insensitive (RFC 7617).
  const auth = all[0];
  if (auth.length > config.maxLength || auth.length < 7 || auth.charCodeAt(5) !== 32 || auth.slice(0, 5).toLowerCase() !== 'basic') return deny();
  const b64 = auth.slice(6).trim();
  const given = credentials(b64, config.base64);
  if (given === null) return deny();
  const user = given.slice(0, given.indexOf(':'));
  // A KeyValueStore key is at most 512 bytes: a longer name is no user and costs no read (a
  // name of 171 to 512 characters that is over 512 bytes makes the read fail: a deny as well).
  if (user.length > 512) return deny();
  const digest: string = require('crypto').createHash('sha256').update(given).digest('hex');
  // A missing key reads as undefined: deny.
  return ctx.kvs(user).then(function (stored) {
    // 64 hex digits, in either case (parseInt reads both); anything else matches nothing.
    if (typeof stored !== 'string' || !/^[0-9a-fA-F]{64}$/.test(stored)) return deny();
    // Constant time: all of the digest is compared, eight hex digits (32 bits) a step.
    let diff = 0;
    for (let i = 0; i < 64; i += 8) diff |= parseInt(stored.slice(i, i + 8), 16) ^ parseInt(digest.slice(i, i + 8), 16);
    if (diff !== 0) return deny();
    headers.delete('authorization');
    return undefined;
  }, deny);
}
