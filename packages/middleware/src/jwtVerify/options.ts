import { ConfigError } from '@edgeline/core';
import { booleanOption, repr, isPlainObject, knownOptions, objectKeyOption, oneOf, stringListOption, stringOption } from '../lib/options.js';

// What every key source shares: the algorithms, the claim checks, where the token is and what a
// failure answers. Each key source (secret.ts, kvsSecret.ts, jwks.ts, jwksUrl.ts) parses its own
// key option and carries its hook.

export type HmacAlgorithm = 'HS256' | 'HS384' | 'HS512';
export type AsymmetricAlgorithm = 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512';
export type JwtAlgorithm = HmacAlgorithm | AsymmetricAlgorithm;

/** The claim checks every key source shares. */
export interface JwtClaimOptions {
  /** Expected `iss` (one of). */
  issuer?: string | readonly string[];
  /** Expected `aud` (one of; the token's `aud` may be a string or a list). With `tokenUse: 'access'`, `client_id` is checked instead, as Cognito access tokens carry no `aud`. */
  audience?: string | readonly string[];
  /** Expected Cognito `token_use`. */
  tokenUse?: 'id' | 'access';
  /** Seconds of clock skew allowed on `exp` and `nbf`. Default 0. */
  clockTolerance?: number;
  /**
   * Where the token is: `'bearer'` (`Authorization: Bearer <jwt>`, the default), `{ cookie: name }`
   * (Cognito hosted-UI flows) or `{ query: name }` (signed links). The same rules hold for each:
   * exactly one value (a repeated cookie or parameter is denied), at most maxTokenLength
   * characters before a byte is decoded.
   */
  token?: JwtTokenSource;
  /**
   * Remove the token once verified: the Authorization header (`'bearer'`) or the query parameter
   * (`{ query }`, so neither the origin nor the cache key sees it). Default true; a cookie cannot
   * be removed at the edge (`strip: true` with `{ cookie }` is refused): choose which cookies
   * reach the origin in the cache behavior's origin request policy.
   */
  strip?: boolean;
  /**
   * Longest token accepted, in characters (after `Bearer `): a longer one is denied before
   * anything is decoded, so a forged token costs no more than a valid one. Default 8192 (512 to 65536).
   */
  maxTokenLength?: number;
  /**
   * Require an `exp` claim. Default true; false for tokens without one (an `exp` that is present
   * is still checked). Give `maxAge` with it: `edge build` warns when a token may live forever.
   */
  requireExp?: boolean;
  /**
   * Seconds a token is accepted after its `iat` (issued at), as jose's maxTokenAge: a token
   * without a numeric `iat` is denied, and so is one issued more than clockTolerance in the future.
   */
  maxAge?: number;
  /**
   * What a denied request gets: a 401 with `www-authenticate: Bearer` (default), or
   * `{ redirect: url }`, a 302 to a login page (an absolute https URL or a path, checked at build)
   * with `redirect_uri` (the original path and query string, percent-encoded) added to its query.
   * A path and query string over 2048 characters or 64 parameters, or one holding a lone
   * surrogate, is left out: the login page gets no `redirect_uri`.
   */
  unauthorized?: { redirect: string };
}
/** Where jwtVerify reads the token. */
export type JwtTokenSource = 'bearer' | { cookie: string } | { query: string };
export interface NoKeySource {
  secret?: undefined;
  jwks?: undefined;
  jwksUrl?: undefined;
  jwksTimeout?: undefined;
}

export type ClaimConfig = {
  /**
   * Lists searched with indexOf (a few entries): a lookup object would turn `__proto__` into its
   * prototype and make `constructor` match (issue 12).
   */
  issuer: string[] | null;
  audience: string[] | null;
  tokenUse: 'id' | 'access' | null;
  clockTolerance: number;
  strip: boolean;
  /** Longest value accepted: the Authorization header (`Bearer ` and maxTokenLength characters), the cookie or the parameter. */
  maxLength: number;
  /** Where the token is, and the cookie's or parameter's name ('' for bearer). */
  from: 'bearer' | 'cookie' | 'query';
  name: string;
  requireExp: boolean;
  /** Seconds after iat; 0 for none. */
  maxAge: number;
  /** The login page (unauthorized.redirect) or null for a 401; `redirectUri` is it with `redirect_uri=` appended. */
  redirect: string | null;
  redirectUri: string;
};
export type AlgorithmSpec = { hash: string; kty: 'RSA' | 'EC'; pss: boolean; crv: string | null; size: number };

export const HMAC: Record<HmacAlgorithm, { hash: string; bytes: number }> = {
  HS256: { hash: 'sha256', bytes: 32 },
  HS384: { hash: 'sha384', bytes: 48 },
  HS512: { hash: 'sha512', bytes: 64 },
};
export const ASYMMETRIC: Record<AsymmetricAlgorithm, AlgorithmSpec> = {
  RS256: { hash: 'sha256', kty: 'RSA', pss: false, crv: null, size: 0 },
  RS384: { hash: 'sha384', kty: 'RSA', pss: false, crv: null, size: 0 },
  RS512: { hash: 'sha512', kty: 'RSA', pss: false, crv: null, size: 0 },
  PS256: { hash: 'sha256', kty: 'RSA', pss: true, crv: null, size: 0 },
  PS384: { hash: 'sha384', kty: 'RSA', pss: true, crv: null, size: 0 },
  PS512: { hash: 'sha512', kty: 'RSA', pss: true, crv: null, size: 0 },
  // JWS ECDSA signatures are r || s, each the size of the curve order.
  ES256: { hash: 'sha256', kty: 'EC', pss: false, crv: 'P-256', size: 64 },
  ES384: { hash: 'sha384', kty: 'EC', pss: false, crv: 'P-384', size: 96 },
  ES512: { hash: 'sha512', kty: 'EC', pss: false, crv: 'P-521', size: 132 },
};
export const isHmac = (alg: string): alg is HmacAlgorithm => Object.prototype.hasOwnProperty.call(HMAC, alg);
export const isAsymmetric = (alg: string): alg is AsymmetricAlgorithm => Object.prototype.hasOwnProperty.call(ASYMMETRIC, alg);

/** What every key source's middleware shares: its name, the answer of a hook that throws, the warnings. */
export type JwtBase = { name: 'jwtVerify'; onError: { status: number; headers: Record<string, string> }; warnings: string[] };

export function algorithmsOption(value: unknown): JwtAlgorithm[] {
  if (!Array.isArray(value) || !value.length) throw new ConfigError('algorithms', `expected a non-empty list such as ['HS256'] or ['RS256'], got ${repr(value)}`);
  return value.map((alg, i) => {
    if (typeof alg === 'string' && alg.toLowerCase() === 'none') {
      throw new ConfigError('algorithms', "'none' is never accepted: an unsigned token proves nothing");
    }
    if (typeof alg !== 'string' || (!isHmac(alg) && !isAsymmetric(alg))) {
      throw new ConfigError(`algorithms`, `algorithms[${i}]: ${repr(alg)} is not one of ${[...Object.keys(HMAC), ...Object.keys(ASYMMETRIC)].join(', ')}`);
    }
    return alg;
  });
}

export function claimOptions(o: Record<string, unknown>): ClaimConfig {
  const tolerance = o.clockTolerance === undefined ? 0 : o.clockTolerance;
  if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0 || tolerance > 86400) {
    throw new ConfigError('clockTolerance', `expected seconds between 0 and 86400, got ${repr(tolerance)}`);
  }
  const max = o.maxTokenLength === undefined ? 8192 : o.maxTokenLength;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 512 || max > 65536) {
    throw new ConfigError('maxTokenLength', `expected characters between 512 and 65536, got ${repr(max)}`);
  }
  const { from, name } = tokenOption(o.token);
  if (from === 'cookie' && o.strip === true) {
    throw new ConfigError('strip', 'a cookie cannot be removed at the edge: leave strip out, and choose which cookies reach the origin in the origin request policy');
  }
  const maxAge = o.maxAge === undefined ? 0 : o.maxAge;
  if (typeof maxAge !== 'number' || !Number.isInteger(maxAge) || maxAge < 0 || maxAge > 315360000 || (o.maxAge !== undefined && maxAge === 0)) {
    throw new ConfigError('maxAge', `expected whole seconds from 1 to 315360000 (10 years), got ${repr(o.maxAge)}`);
  }
  const redirect = unauthorizedOption(o.unauthorized);
  return {
    issuer: o.issuer === undefined ? null : stringListOption('issuer', o.issuer),
    audience: o.audience === undefined ? null : stringListOption('audience', o.audience),
    tokenUse: o.tokenUse === undefined ? null : oneOf('tokenUse', o.tokenUse, ['id', 'access'] as const),
    clockTolerance: tolerance,
    strip: from === 'cookie' ? false : booleanOption('strip', o.strip, true),
    maxLength: from === 'bearer' ? max + 7 : max,
    from,
    name,
    requireExp: booleanOption('requireExp', o.requireExp, true),
    maxAge,
    redirect,
    redirectUri: redirect === null ? '' : redirect + (redirect.indexOf('?') < 0 ? '?' : /[?&]$/.test(redirect) ? '' : '&') + 'redirect_uri=',
  };
}

/** A cookie name is an RFC 6265 token; a parameter name is sent as is (no `&`, `=`, `#`, `%`, `+`, space). */
function tokenOption(value: unknown): { from: 'bearer' | 'cookie' | 'query'; name: string } {
  if (value === undefined || value === 'bearer') return { from: 'bearer', name: '' };
  if (!isPlainObject(value)) throw new ConfigError('token', `expected 'bearer', { cookie: name } or { query: name }, got ${repr(value)}`);
  const keys = Object.keys(value);
  if (keys.length !== 1 || (keys[0] !== 'cookie' && keys[0] !== 'query')) {
    throw new ConfigError('token', `expected 'bearer', { cookie: name } or { query: name }, got an object with ${keys.length ? keys.join(', ') : 'no keys'}`);
  }
  const from = keys[0] as 'cookie' | 'query';
  const option = `token.${from}`;
  const name = objectKeyOption(option, value[from]);
  const valid = from === 'cookie' ? /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/ : /^[A-Za-z0-9\-._~!$'()*,;:@/?]+$/;
  if (!valid.test(name)) {
    throw new ConfigError(option, from === 'cookie'
      ? `'${name}' is not a cookie name (RFC 6265: letters, digits and !#$%&'*+-.^_\`|~)`
      : `'${name}' is not a plain query parameter name (letters, digits and -._~!$'()*,;:@/?; no &, =, #, % or +)`);
  }
  return { from, name };
}

/** The login page of unauthorized.redirect: an absolute https URL or a path, of printable ASCII without '#' or '\\'. */
function unauthorizedOption(value: unknown): string | null {
  if (value === undefined) return null;
  if (!isPlainObject(value)) throw new ConfigError('unauthorized', `expected { redirect: url }, got ${repr(value)}`);
  knownOptions(value, ['redirect'], 'unauthorized');
  const url = stringOption('unauthorized.redirect', (value as { redirect?: unknown }).redirect);
  const bad = (why: string) => new ConfigError('unauthorized.redirect', `${JSON.stringify(url)}: ${why}`);
  // Nothing that could end the Location header or change what the URL means.
  if (!/^[\x21-\x7e]+$/.test(url)) throw bad('expected printable ASCII without spaces (percent-encode the rest)');
  if (url.indexOf('#') >= 0) throw bad("a fragment ('#') would swallow redirect_uri");
  if (url.indexOf('\\') >= 0) throw bad("a backslash is read as '/' by browsers");
  if (/[?&]redirect_uri=/.test(url)) throw bad('redirect_uri is added by jwtVerify');
  if (url.charAt(0) === '/') {
    // `//host` is protocol-relative: another site.
    if (url.charAt(1) === '/') throw bad("a path starts with a single '/' ('//host' is another site: give https://host/...)");
    return url;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw bad("expected an absolute https URL or a path starting with '/'");
  }
  if (parsed.protocol !== 'https:') throw bad('an absolute URL must be https');
  if (parsed.username || parsed.password) throw bad('user information in a URL is refused');
  if (!parsed.hostname) throw bad('no host');
  return url;
}
