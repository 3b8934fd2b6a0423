import { createHash } from 'node:crypto';
import { ConfigError, defineMiddleware, type Answer, type Middleware, type RequestContext } from '@edgeline/core';
import { isPlainObject, knownOptions, named, ownKeysOnly, repr } from '../lib/options.js';

/** `{ name: password }`: hashed when the factory runs; neither names nor passwords reach the artifact. */
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
   * The sha256 hex digest (lower case, 64 characters) of each `name:password` in its base64 form,
   * as a browser sends it (RFC 4648, padded), one after the other in one string: the artifact
   * inlines it as a literal, with no table to build. As hard to turn back into the password as
   * the digest of `name:password` itself.
   */
  hashes: string;
  /** `Basic realm="..."`. */
  challenge: string;
  /** Longest Authorization value looked at: a longer one is a 401 before anything else is done. */
  maxLength: number;
};
type BasicAuthKvsConfig = { challenge: string; maxLength: number };

const OPTIONS = ['users', 'realm'];
/**
 * Characters of `Authorization: Basic <base64>` read at most: 1,536 bytes of `name:password`,
 * ten times what a password manager fills in. Anything longer is a 401 before any other work.
 */
const MAX_AUTHORIZATION_LENGTH = 2054;
/** A KeyValueStore key is at most 512 bytes (Quotas on CloudFront Functions). */
const MAX_KVS_KEY_BYTES = 512;

/**
 * Password-protects a site (staging, previews) with HTTP Basic authentication (RFC 7617).
 * A request without exactly one well-formed `Authorization: Basic` value of a configured user is
 * answered 401 with `WWW-Authenticate: Basic realm="..."`; a valid one goes on without its
 * Authorization header. Credentials are compared as sha256 hex digests, in constant time: the
 * artifact holds digests only (a CloudFront Function those of each `name:password`, a Lambda@Edge
 * handler those of their base64 form); a KeyValueStore (`users: { kvs: true }`, cloudfront-js-2.0
 * only) the digest of `name:password` per user name.
 * Viewer-request, every target.
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
  const credentials = names.map((name) => {
    const password = passwordOption(`users.${name}`, users[name]);
    const credentials = `${userName('users', name)}:${password}`;
    // `Basic ` and the base64 of the credentials must fit the bound, or the user could never sign in.
    if (6 + 4 * Math.ceil(Buffer.byteLength(credentials) / 3) > MAX_AUTHORIZATION_LENGTH) {
      throw new ConfigError(`users.${name}`, `name and password are too long: at most ${((MAX_AUTHORIZATION_LENGTH - 6) / 4) * 3} bytes together`);
    }
    return credentials;
  });
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
  const config: BasicAuthConfig = { hashes: credentials.map((c) => sha256(Buffer.from(c).toString('base64'))).join(''), challenge, maxLength: MAX_AUTHORIZATION_LENGTH };
  // The CloudFront copy compares the digests of the credentials' bytes: kept out of the config
  // (the hook has no use for them), one after the other as `hashes`.
  const rawHashes = credentials.map(sha256).join('');
  return defineMiddleware<'crypto:hash', BasicAuthConfig>({
    name: 'basicAuth', needs: ['crypto:hash'], config, onError, request: basicAuthRequest,
    direct: { cff: (c, runtime) => ({ request: basicAuthCff(c, rawHashes, runtime === 'cloudfront-js-2.0'), safe: true }) },
  });
}

/**
 * The CloudFront Function an expert writes (bench/reference/basicAuth.viewer-request.js): base64
 * decoded by the runtime (String.bytesFrom on 1.0, Buffer on 2.0) once a regular expression and
 * the length leave it only well-formed, and the bytes hashed. The hook cannot do that: runtime
 * 1.0 has no Buffer, and a lowering cannot name a decoder per runtime. Same rule as the hook
 * (targets.test.ts holds it to it): RFC 4648 base64 accepted padded or not, whatever the unused
 * bits of its last character, since they decode to the same bytes. On 1.0 the bytes must be
 * UTF-8 (fromUTF8, else null): njs hashes a byte string that is not as if each bad byte were
 * U+FFFD, which a password may hold. Names and passwords are not in it, only the digests.
 */
function basicAuthCff(config: BasicAuthConfig, rawHashes: string, buffer: boolean): string {
  const bytes = buffer ? "Buffer.from(b64, 'base64')" : "String.bytesFrom(b64, 'base64').fromUTF8() || ''";
  const hashes = JSON.stringify(rawHashes);
  // Constant time: all of every digest is compared, whatever matches, 8 hex digits (32 bits) a step.
  const compare = rawHashes.length === 64
    ? `for (var i = 0, diff = 0; i < 64; i += 8) diff |= parseInt(${hashes}.substring(i, i + 8), 16) ^ parseInt(digest.substring(i, i + 8), 16);
      if (!diff) {`
    : `for (var u = 0, ok = 0; u < ${rawHashes.length}; u += 64) {
        for (var i = 0, diff = 0; i < 64; i += 8) diff |= parseInt(${hashes}.substring(u + i, u + i + 8), 16) ^ parseInt(digest.substring(i, i + 8), 16);
        if (!diff) ok = 1;
      }
      if (ok) {`;
  return String.raw`function (request) {
  var auth = request.headers.authorization, value = auth && auth.value;
  // One value (a second could reach the origin unchecked), bounded, 'Basic ' in any case.
  if (value && !(auth.multiValue && auth.multiValue.length > 1) && value.length <= ${config.maxLength} && value.charCodeAt(5) === 32 && value.substring(0, 5).toLowerCase() === 'basic') {
    var b64 = value.substring(6).trim(), n = b64.length;
    // '=' only at the end, and then to a multiple of 4; never 4n+1 characters.
    if (/^[A-Za-z0-9+\/]+={0,2}$/.test(b64) && n % 4 !== 1 && (n % 4 === 0 || b64.charCodeAt(n - 1) !== 61)) {
      var digest = require('crypto').createHash('sha256').update(${bytes}).digest('hex');
      ${compare}
        // The origin never sees the password.
        delete request.headers.authorization;
        return request;
      }
    }
  }
  return { statusCode: 401, statusDescription: 'Unauthorized', headers: { 'www-authenticate': { value: ${JSON.stringify(config.challenge)} } } };
}`;
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

// Hooks are lowered as source text: they may use their parameters, plain JS and require only.

// Every target (cloudfront-js-1.0 is ES5, with neither atob nor Buffer); CloudFront Functions
// run the hand-written copy above (basicAuthCff), Lambda@Edge this hook. Base64 is checked and
// made canonical (RFC 4648: padded, the bits after the last byte 0), which takes a few string
// operations whatever its length; canonical base64 is the one encoding of its bytes, so its
// digest is compared with those of the users' base64(name:password) and nothing is decoded (in
// njs a decoding loop costs over 1,000 instructions a character).
function basicAuthRequest(ctx: RequestContext, config: BasicAuthConfig): Answer | undefined {
  const headers = ctx.request.headers;
  const auth = headers.get('authorization');
  let ok = false;
  // One refusal at the end, as one writes it by hand (no function to call, one answer literal).
  // The cheap checks first: an oversized value is refused before anything else is done with it.
  // `Basic <base64(user:password)>`, scheme case-insensitive (RFC 7617).
  if (auth !== undefined && auth.length <= config.maxLength && auth.length >= 7 && auth.charCodeAt(5) === 32 && auth.slice(0, 5).toLowerCase() === 'basic') {
    let b64 = auth.slice(6).trim();
    // Standard alphabet; `=` padding only at the end, and then to a multiple of 4; never 4n+1
    // characters (they cannot encode whole bytes). Unpadded base64 is accepted.
    if (/^[A-Za-z0-9+\/]+={0,2}$/.test(b64)) {
      let n = b64.length;
      while (b64.charCodeAt(n - 1) === 61) n--;
      const rest = n % 4;
      if (rest !== 1 && (n === b64.length || b64.length % 4 === 0)) {
        if (rest !== 0) {
          // The last character's unused bits (4 before '==', 2 before '=') to 0, and the padding
          // (the same text again where it was canonical already).
          const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
          b64 = b64.slice(0, n - 1) + alphabet.charAt(alphabet.indexOf(b64.charAt(n - 1)) & (rest === 2 ? 48 : 60)) + (rest === 2 ? '==' : '=');
        }
        const digest: string = require('crypto').createHash('sha256').update(b64).digest('hex');
        // Constant time: all of every stored digest is compared, whatever matches, eight hex digits
        // (32 bits) a step (a loop step costs njs as much as a few calls).
        const hashes = config.hashes;
        for (let u = 0; u < hashes.length; u += 64) {
          let diff = 0;
          for (let i = 0; i < 64; i += 8) diff |= parseInt(hashes.slice(u + i, u + i + 8), 16) ^ parseInt(digest.slice(i, i + 8), 16);
          if (diff === 0) ok = true;
        }
      }
    }
  }
  // One Authorization value (checked last: getAll builds a list): a second one could reach the
  // origin unchecked.
  if (!ok || headers.getAll('authorization').length !== 1) {
    return ctx.respond({ status: 401, statusDescription: 'Unauthorized', headers: { 'WWW-Authenticate': config.challenge } });
  }
  // The origin never sees the password.
  headers.delete('authorization');
  return undefined;
}

// cloudfront-js-2.0 only (kvs): the user name is the key, so the credentials are decoded, by
// the runtime's Buffer, once the checks above leave it only well-formed base64.
function basicAuthKvsRequest(ctx: RequestContext, config: BasicAuthKvsConfig): Answer | Promise<Answer | undefined> {
  function deny(): Answer {
    return ctx.respond({ status: 401, statusDescription: 'Unauthorized', headers: { 'WWW-Authenticate': config.challenge } });
  }
  const headers = ctx.request.headers;
  // One Authorization value: a second one could reach the origin unchecked.
  const all = headers.getAll('authorization');
  if (all.length !== 1) return deny();
  const auth = all[0];
  if (auth.length > config.maxLength || auth.length < 7 || auth.charCodeAt(5) !== 32 || auth.slice(0, 5).toLowerCase() !== 'basic') return deny();
  const b64 = auth.slice(6).trim();
  if (!/^[A-Za-z0-9+\/]+={0,2}$/.test(b64)) return deny();
  let n = b64.length;
  while (b64.charCodeAt(n - 1) === 61) n--;
  if (n % 4 === 1 || (n !== b64.length && b64.length % 4 !== 0)) return deny();
  const bytes = Buffer.from(b64, 'base64');
  // A colon byte never occurs inside a UTF-8 sequence: the user name is everything before the
  // first. A KeyValueStore key is at most 512 bytes: a longer name is no user and costs no read.
  const colon = bytes.indexOf(58);
  if (colon <= 0 || colon > 512) return deny();
  const name = bytes.subarray(0, colon);
  const user = name.toString();
  // Not UTF-8 (toString replaced a sequence): no user. A password that is not UTF-8 never
  // hashes to the digest of one that is.
  if (!Buffer.from(user).equals(name)) return deny();
  const digest: string = require('crypto').createHash('sha256').update(bytes).digest('hex');
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
