import { createPublicKey } from 'node:crypto';
import { ConfigError, defineMiddleware, type Answer, type CfRuntime, type DirectHooks, type Middleware, type RequestContext } from '@edgeline/core';
import { booleanOption, repr, isPlainObject, knownOptions, named, objectKeyOption, oneOf, REGION, stringListOption, stringOption } from '../lib/options.js';

export type HmacAlgorithm = 'HS256' | 'HS384' | 'HS512';
export type AsymmetricAlgorithm = 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512';
export type JwtAlgorithm = HmacAlgorithm | AsymmetricAlgorithm;

/** A public JSON Web Key (RSA or EC), as a JWKS lists it. */
export interface PublicJwk {
  kty?: string;
  kid?: string;
  alg?: string;
  use?: string;
  key_ops?: readonly string[];
  n?: string;
  e?: string;
  crv?: string;
  x?: string;
  y?: string;
  [member: string]: unknown;
}

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
interface NoKeySource {
  secret?: undefined;
  jwks?: undefined;
  jwksUrl?: undefined;
  jwksTimeout?: undefined;
}
/** HS256/384/512 with a shared secret inlined in the artifact. */
export interface JwtSecretOptions extends JwtClaimOptions, Omit<NoKeySource, 'secret'> {
  algorithms: readonly HmacAlgorithm[];
  /** At least as many bytes as the hash output (32 for HS256, 48 for HS384, 64 for HS512). */
  secret: string;
}
/** HS256 with the secret read from the function's KeyValueStore (cloudfront-js-2.0), so it is not in the code. */
export interface JwtKvsSecretOptions extends JwtClaimOptions, Omit<NoKeySource, 'secret'> {
  algorithms: readonly 'HS256'[];
  secret: { kvs: string };
}
/** RS*, PS*, ES* against public keys inlined in the artifact (Lambda@Edge). */
export interface JwtJwksOptions extends JwtClaimOptions, Omit<NoKeySource, 'jwks'> {
  algorithms: readonly AsymmetricAlgorithm[];
  jwks: { keys: readonly PublicJwk[] };
}
/** RS*, PS*, ES* against a key set fetched from a URL and cached by the warm container (Lambda@Edge). */
export interface JwtJwksUrlOptions extends JwtClaimOptions, Omit<NoKeySource, 'jwksUrl' | 'jwksTimeout'> {
  algorithms: readonly AsymmetricAlgorithm[];
  /** https (http only for a loopback host, in tests). */
  jwksUrl: string;
  /** Milliseconds to wait for the key set before denying. Default 1500. */
  jwksTimeout?: number;
}
export type JwtVerifyOptions = JwtSecretOptions | JwtKvsSecretOptions | JwtJwksOptions | JwtJwksUrlOptions;
export type JwtCapability = 'crypto:hmac' | 'crypto:verify' | 'kvs' | 'network' | 'async';

type ClaimConfig = {
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
/** `algorithms`: alg -> hash; `hashes`: the hashes they use (the signature's length tells which). */
type HmacConfig = ClaimConfig & { algorithms: Record<string, string>; hashes: string[]; secret: string };
type HmacKvsConfig = ClaimConfig & { algorithms: Record<string, string>; hashes: string[]; secretKey: string };
type AlgorithmSpec = { hash: string; kty: 'RSA' | 'EC'; pss: boolean; crv: string | null; size: number };
type KeyConfig = { kid: string | null; alg: string | null; kty: string; crv: string | null; jwk: Record<string, string> };
type JwksConfig = ClaimConfig & { algorithms: Record<string, AlgorithmSpec>; keys: KeyConfig[] };
type JwksUrlConfig = ClaimConfig & {
  algorithms: string[];
  jwksUrl: string;
  timeout: number;
};

const HMAC: Record<HmacAlgorithm, { hash: string; bytes: number }> = {
  HS256: { hash: 'sha256', bytes: 32 },
  HS384: { hash: 'sha384', bytes: 48 },
  HS512: { hash: 'sha512', bytes: 64 },
};
const ASYMMETRIC: Record<AsymmetricAlgorithm, AlgorithmSpec> = {
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
const OPTIONS = ['algorithms', 'secret', 'jwks', 'jwksUrl', 'jwksTimeout', 'issuer', 'audience', 'tokenUse', 'clockTolerance', 'strip', 'maxTokenLength', 'token', 'requireExp', 'maxAge', 'unauthorized'];
const ON_ERROR = { status: 401, headers: { 'www-authenticate': 'Bearer' } };
const isHmac = (alg: string): alg is HmacAlgorithm => Object.prototype.hasOwnProperty.call(HMAC, alg);
const isAsymmetric = (alg: string): alg is AsymmetricAlgorithm => Object.prototype.hasOwnProperty.call(ASYMMETRIC, alg);

/**
 * Verifies `Authorization: Bearer <jwt>`; any failure answers 401 with `www-authenticate: Bearer`
 * and nothing reaches the origin. Checks the structure, `alg` against `algorithms` (never `none`,
 * never an HMAC token against public keys nor the reverse), the signature (HMAC compared in
 * constant time), `exp` (required), `nbf`, `iss`, `aud`, Cognito's `token_use` and `kid`.
 * HS256 runs on every target; HS384/HS512, RS*, PS*, ES* and `jwksUrl` on Lambda@Edge only.
 * @example edge().use(jwtVerify({ algorithms: ['HS256'], secret: { kvs: 'jwt-secret' }, issuer: 'https://auth.example.com' }))
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-javascript-runtime-20.html
 */
export function jwtVerify(options: JwtSecretOptions & { algorithms: readonly 'HS256'[] }): Middleware<'crypto:hmac'>;
export function jwtVerify(options: JwtSecretOptions): Middleware<'crypto:hmac' | 'crypto:verify'>;
export function jwtVerify(options: JwtKvsSecretOptions): Middleware<'crypto:hmac' | 'kvs' | 'async'>;
export function jwtVerify(options: JwtJwksOptions): Middleware<'crypto:verify'>;
export function jwtVerify(options: JwtJwksUrlOptions): Middleware<'crypto:verify' | 'network' | 'async'>;
export function jwtVerify(options: JwtVerifyOptions): Middleware<JwtCapability>;
export function jwtVerify(options: JwtVerifyOptions): Middleware<JwtCapability> {
  return named('jwtVerify', () => build(options));
}

function build(options: JwtVerifyOptions): Middleware<JwtCapability> {
  const o = knownOptions(options, OPTIONS, 'jwtVerify');
  const algorithms = algorithmsOption(o.algorithms);
  const sources = (['secret', 'jwks', 'jwksUrl'] as const).filter((k) => o[k] !== undefined);
  if (sources.length !== 1) {
    throw new ConfigError(sources[1] ?? 'secret', 'give exactly one key source: secret, jwks or jwksUrl');
  }
  if (o.jwksTimeout !== undefined && sources[0] !== 'jwksUrl') throw new ConfigError('jwksTimeout', 'applies to jwksUrl only');
  const claims = claimOptions(o);
  // A hook that throws (it should not) denies as a failed check does, without redirect_uri.
  const onError = claims.redirect === null ? ON_ERROR : { status: 302, headers: { location: claims.redirect } };
  const warnings = !claims.requireExp && !claims.maxAge ? ['requireExp: false without maxAge: a token without exp is accepted forever'] : [];
  const base = { name: 'jwtVerify', onError, warnings };

  if (sources[0] === 'secret') {
    const hmac = algorithms.filter(isHmac);
    if (hmac.length !== algorithms.length) {
      throw new ConfigError('algorithms', `an HMAC secret verifies HS256, HS384 and HS512 only: ${algorithms.filter((a) => !isHmac(a)).join(', ')} needs jwks or jwksUrl`);
    }
    const table: Record<string, string> = {};
    for (const alg of hmac) table[alg] = HMAC[alg].hash;
    if (isPlainObject(o.secret)) {
      knownOptions(o.secret, ['kvs'], 'secret');
      const key = stringOption('secret.kvs', o.secret.kvs);
      if (Buffer.byteLength(key) > 512) throw new ConfigError('secret.kvs', 'a KeyValueStore key is at most 512 bytes');
      if (hmac.some((a) => a !== 'HS256')) {
        throw new ConfigError('algorithms', 'a KeyValueStore secret is read by a CloudFront Function, whose HMAC offers sha256 only: use HS256');
      }
      const config: HmacKvsConfig = { ...claims, algorithms: table, hashes: ['sha256'], secretKey: key };
      return defineMiddleware<'crypto:hmac' | 'kvs' | 'async', HmacKvsConfig>({ ...base, needs: ['crypto:hmac', 'kvs', 'async'], config, request: jwtVerifyHmacKvsRequest });
    }
    const secret = stringOption('secret', o.secret);
    const bytes = Math.max(...hmac.map((a) => HMAC[a].bytes));
    if (Buffer.byteLength(secret) < bytes) {
      throw new ConfigError('secret', `too short: ${hmac.join(', ')} needs a secret of at least ${bytes} bytes (RFC 7518, 3.2)`);
    }
    const config: HmacConfig = { ...claims, algorithms: table, hashes: [...new Set(hmac.map((a) => HMAC[a].hash))], secret };
    // CloudFront Functions' HMAC offers md5, sha1 and sha256 only: HS384/HS512 are Lambda@Edge's.
    const needs: ('crypto:hmac' | 'crypto:verify')[] = hmac.some((a) => a !== 'HS256') ? ['crypto:hmac', 'crypto:verify'] : ['crypto:hmac'];
    return defineMiddleware<'crypto:hmac' | 'crypto:verify', HmacConfig>({
      ...base, needs, config, request: jwtVerifyHmacRequest,
      // CloudFront Functions' HMAC is sha256 at most: HS384/HS512 configs never build for them.
      direct: { cff: (c, runtime) => (c.hashes.length === 1 && c.hashes[0] === 'sha256' ? jwtVerifyHmacCff(c, runtime) : undefined) },
    });
  }

  const asymmetric = algorithms.filter(isAsymmetric);
  if (asymmetric.length !== algorithms.length) {
    throw new ConfigError('algorithms', `${algorithms.filter(isHmac).join(', ')} needs a shared secret: an HMAC token is never checked against public keys (algorithm confusion)`);
  }
  if (sources[0] === 'jwks') {
    const table: Record<string, AlgorithmSpec> = {};
    for (const alg of asymmetric) table[alg] = ASYMMETRIC[alg];
    const config: JwksConfig = { ...claims, algorithms: table, keys: jwksOption(o.jwks, asymmetric) };
    return defineMiddleware<'crypto:verify', JwksConfig>({ ...base, needs: ['crypto:verify'], config, request: jwtVerifyJwksRequest });
  }
  const config: JwksUrlConfig = {
    ...claims,
    algorithms: asymmetric,
    jwksUrl: jwksUrlOption(o.jwksUrl),
    timeout: timeoutOption(o.jwksTimeout),
  };
  return defineMiddleware<'crypto:verify' | 'network' | 'async', JwksUrlConfig>({
    ...base, needs: ['crypto:verify', 'network', 'async'], config, request: jwtVerifyJwksUrlRequest,
  });
}

export interface CognitoOptions {
  region: string;
  userPoolId: string;
  tokenUse: 'id' | 'access';
  /** App client id(s): checked against `client_id` (access tokens) or `aud` (id tokens). */
  clientId?: string | readonly string[];
}
/** What `cognito()` fills in: spread it into `jwtVerify`'s options. */
export interface CognitoVerifyOptions {
  issuer: string;
  jwksUrl: string;
  tokenUse: 'id' | 'access';
  audience?: string | readonly string[];
}

/**
 * The issuer, key set URL, token use and app client of an Amazon Cognito user pool.
 * @example jwtVerify({ algorithms: ['RS256'], ...cognito({ region: 'eu-west-1', userPoolId: 'eu-west-1_AbC123', tokenUse: 'access', clientId: '1example23456789' }) })
 * @see https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html
 */
export function cognito(options: CognitoOptions): CognitoVerifyOptions {
  const o = knownOptions(options, ['region', 'userPoolId', 'tokenUse', 'clientId'], 'cognito');
  const region = stringOption('region', o.region);
  if (!REGION.test(region)) throw new ConfigError('region', `'${region}' is not an AWS region name`);
  const pool = stringOption('userPoolId', o.userPoolId);
  if (pool.indexOf(region + '_') !== 0 || !/^[\w-]+_[0-9a-zA-Z]+$/.test(pool)) {
    throw new ConfigError('userPoolId', `'${pool}' is not a user pool id of ${region} (such as ${region}_AbCdEf123)`);
  }
  const issuer = `https://cognito-idp.${region}.amazonaws.com/${pool}`;
  const out: CognitoVerifyOptions = { issuer, jwksUrl: `${issuer}/.well-known/jwks.json`, tokenUse: oneOf('tokenUse', o.tokenUse, ['id', 'access'] as const) };
  if (o.clientId !== undefined) out.audience = stringListOption('clientId', o.clientId);
  return out;
}

function algorithmsOption(value: unknown): JwtAlgorithm[] {
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

function claimOptions(o: Record<string, unknown>): ClaimConfig {
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

/** Checks each key with node:crypto now, so a bad key fails the build rather than every request. */
function jwksOption(value: unknown, algorithms: AsymmetricAlgorithm[]): KeyConfig[] {
  if (!isPlainObject(value) || !Array.isArray(value.keys) || !value.keys.length) {
    throw new ConfigError('jwks', `expected a JWK set { keys: [...] } with at least one key, got ${repr(value)}`);
  }
  const keys: KeyConfig[] = [];
  value.keys.forEach((jwk: unknown, i: number) => {
    const option = `jwks.keys[${i}]`;
    if (!isPlainObject(jwk)) throw new ConfigError(option, `expected a JWK, got ${repr(jwk)}`);
    // Private members would be inlined into every artifact.
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']) {
      if (jwk[member] !== undefined) throw new ConfigError(option, `holds private key material ('${member}'): give public keys only`);
    }
    if (jwk.use !== undefined && jwk.use !== 'sig') return;
    if (Array.isArray(jwk.key_ops) && jwk.key_ops.indexOf('verify') < 0) return;
    if (jwk.kid !== undefined && typeof jwk.kid !== 'string') throw new ConfigError(option, 'kid must be a string');
    if (jwk.alg !== undefined && (typeof jwk.alg !== 'string' || !isAsymmetric(jwk.alg))) {
      throw new ConfigError(option, `alg ${repr(jwk.alg)} is not an RS*, PS* or ES* algorithm`);
    }
    const kty = jwk.kty;
    const pub: Record<string, string> = {};
    const members = kty === 'RSA' ? ['kty', 'n', 'e'] : kty === 'EC' ? ['kty', 'crv', 'x', 'y'] : null;
    if (!members) throw new ConfigError(option, `kty ${repr(kty)}: only RSA and EC public keys verify RS*, PS* and ES* tokens`);
    for (const m of members) {
      if (typeof jwk[m] !== 'string') throw new ConfigError(option, `'${m}' is missing`);
      pub[m] = jwk[m] as string;
    }
    let details;
    try {
      details = createPublicKey({ key: pub, format: 'jwk' }).asymmetricKeyDetails;
    } catch (e) {
      throw new ConfigError(option, `not a usable public key: ${(e as Error).message}`);
    }
    if (kty === 'RSA' && (details?.modulusLength ?? 0) < 2048) throw new ConfigError(option, 'RSA keys shorter than 2048 bits are refused');
    keys.push({ kid: (jwk.kid as string | undefined) ?? null, alg: (jwk.alg as string | undefined) ?? null, kty: kty as string, crv: kty === 'EC' ? pub.crv : null, jwk: pub });
  });
  const usable = keys.some((k) => algorithms.some((a) => ASYMMETRIC[a].kty === k.kty && (!k.crv || ASYMMETRIC[a].crv === k.crv) && (!k.alg || k.alg === a)));
  if (!usable) throw new ConfigError('jwks', `no signing key in the set can verify ${algorithms.join(', ')}`);
  return keys;
}

function jwksUrlOption(value: unknown): string {
  const raw = stringOption('jwksUrl', value);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('jwksUrl', `'${raw}' is not a URL`);
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new ConfigError('jwksUrl', 'must be https: keys fetched in the clear could be replaced on the way');
  }
  return url.href;
}

function timeoutOption(value: unknown): number {
  if (value === undefined) return 1500;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 30000) {
    throw new ConfigError('jwksTimeout', `expected milliseconds between 1 and 30000, got ${repr(value)}`);
  }
  return value;
}

/**
 * The CloudFront Function an expert writes for an inlined HMAC secret: the hook's checks in the
 * hook's order, on the event's own objects, with the runtime's own base64url decoder
 * (String.bytesFrom on 1.0, Buffer on 2.0) instead of a loop per character. The alphabet is
 * checked first: both decoders skip characters they do not know.
 */
function jwtVerifyHmacCff(config: HmacConfig, runtime: CfRuntime): DirectHooks {
  const decode = runtime === 'cloudfront-js-1.0'
    ? `var text = String.bytesFrom(s, 'base64url').fromUTF8();
  if (typeof text !== 'string') return null;`
    : `var bytes = Buffer.from(s, 'base64url'), text = bytes.toString();
  if (text.indexOf('\\ufffd') >= 0 && !Buffer.from(text).equals(bytes)) return null;`;
  const object = `function (s) {
  if (s.length % 4 === 1 || !/^[A-Za-z0-9_-]+$/.test(s)) return null;
  ${decode}
  try {
    var v = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : null;
  } catch (e) {
    return null;
  }
}`;
  // The 401, or the login page with the original path and query string (the hook's rules: the
  // query string as sent on 2.0, rebuilt from the object on 1.0, as __edge_qs does).
  // Rebuilt as __edge_qs does, but only up to what redirect_uri may carry (65 values, 2049
  // characters with the path): a rebuilt value costs ~2,000 njs instructions on 1.0.
  const rebuild = `var q = request.querystring, p = [], n = 0, size = uri.length, k, l, i;
    for (k in q) {
      l = q[k].multiValue && q[k].multiValue.length ? q[k].multiValue : [q[k]];
      for (i = 0; i < l.length && n <= 64; i++) {
        p[n] = l[i].value !== '' ? k + '=' + l[i].value : k;
        size += p[n++].length + 1;
      }
      if (n > 64 || size > 2049) break;
    }
    query = n > 64 || size > 2049 ? null : p.join('&');`;
  const query = runtime === 'cloudfront-js-1.0'
    ? `var query;
    ${rebuild}`
    : `var query;
    if (typeof request.rawQueryString === 'function') query = request.rawQueryString() || '';
    else {
      ${rebuild}
    }`;
  const deny = config.redirect === null
    ? "function () {\n  return { statusCode: 401, headers: { 'www-authenticate': { value: 'Bearer' } } };\n}"
    : `function (request) {
  var uri = request.uri, location = ${JSON.stringify(config.redirect)};
  if (uri.length <= 2048) {
    ${query}
    if (query !== null && uri.length + query.length <= 2048 && (query.length < 64 || query.split('&').length <= 64)) {
      try {
        location = ${JSON.stringify(config.redirectUri)} + encodeURIComponent(query ? uri + '?' + query : uri);
      } catch (e) {}
    }
  }
  return { statusCode: 302, headers: { location: { value: location } } };
}`;
  const aud = config.tokenUse === 'access' ? 'claims.client_id' : 'claims.aud';
  const name = JSON.stringify(config.name);
  // One value: CloudFront lists every value in multiValue when there are several, and a second
  // one would reach the origin unverified. A query value is decoded as the hook's getAll does it
  // (a '+' is a space then: no token has one).
  const read = config.from === 'bearer'
    ? `var auth = request.headers.authorization;
  if (!auth || (auth.multiValue && auth.multiValue.length > 1)) return __edge_jwtdeny(request);
  var value = auth.value;
  if (value.length > ${config.maxLength} || value.length < 8 || value.charCodeAt(6) !== 32 || value.slice(0, 6).toLowerCase() !== 'bearer') return __edge_jwtdeny(request);
  var token = value.slice(7).trim();`
    : config.from === 'cookie'
      ? `var c = request.cookies[${name}];
  if (!c || (c.multiValue && c.multiValue.length > 1)) return __edge_jwtdeny(request);
  var token = c.value;
  if (token.length > ${config.maxLength}) return __edge_jwtdeny(request);`
      : `var param = request.querystring[${name}];
  if (!param || (param.multiValue && param.multiValue.length > 1)) return __edge_jwtdeny(request);
  var token = param.value;
  if (token.indexOf('+') >= 0) return __edge_jwtdeny(request);
  if (token.indexOf('%') >= 0) {
    try {
      token = decodeURIComponent(token);
    } catch (e) {
      return __edge_jwtdeny(request);
    }
  }
  if (token.length > ${config.maxLength}) return __edge_jwtdeny(request);`;
  const tolerance = config.clockTolerance;
  const exp = `typeof claims.exp !== 'number' || claims.exp <= now - ${tolerance}`;
  const request = `function (request) {
  ${read}
  var d1 = token.indexOf('.'), d2 = token.indexOf('.', d1 + 1);
  if (d1 < 1 || d1 > 2048 || d2 < d1 + 2 || d2 === token.length - 1 || token.indexOf('.', d2 + 1) >= 0) return __edge_jwtdeny(request);
  // The signature first: nothing of a forged token is decoded.
  var given = token.slice(d2 + 1);
  if (given.length !== 43) return __edge_jwtdeny(request);
  var expected = require('crypto').createHmac('sha256', ${JSON.stringify(config.secret)}).update(token.slice(0, d2)).digest('base64url');
  var diff = 0;
  for (var i = 0; i < 43; i++) diff |= expected.charCodeAt(i) ^ given.charCodeAt(i);
  if (diff !== 0) return __edge_jwtdeny(request);
  var header = __edge_jwtobject(token.slice(0, d1));
  if (header === null || typeof header.alg !== 'string' || header.crit !== undefined || ALGORITHMS[header.alg] !== 'sha256') return __edge_jwtdeny(request);
  var claims = __edge_jwtobject(token.slice(d1 + 1, d2));
  if (claims === null) return __edge_jwtdeny(request);
  var now = Math.floor(Date.now() / 1000);
  if (${config.requireExp ? exp : `claims.exp !== undefined && (${exp})`}) return __edge_jwtdeny(request);
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > now + ${tolerance})) return __edge_jwtdeny(request);
  if (claims.iat !== undefined && typeof claims.iat !== 'number') return __edge_jwtdeny(request);${config.maxAge ? `
  if (typeof claims.iat !== 'number' || claims.iat > now + ${tolerance} || now - claims.iat - ${tolerance} > ${config.maxAge}) return __edge_jwtdeny(request);` : ''}${config.issuer === null ? '' : `
  if (typeof claims.iss !== 'string' || ISSUERS.indexOf(claims.iss) < 0) return __edge_jwtdeny(request);`}${config.tokenUse === null ? '' : `
  if (claims.token_use !== ${JSON.stringify(config.tokenUse)}) return __edge_jwtdeny(request);`}${config.audience === null ? '' : `
  var aud = ${aud}, ok = typeof aud === 'string' && AUDIENCES.indexOf(aud) >= 0;
  if (!ok && Array.isArray(aud)) for (var j = 0; j < aud.length && !ok; j++) ok = typeof aud[j] === 'string' && AUDIENCES.indexOf(aud[j]) >= 0;
  if (!ok) return __edge_jwtdeny(request);`}${!config.strip ? '' : config.from === 'bearer' ? `
  delete request.headers.authorization;` : `
  delete request.querystring[${name}];`}
  return request;
}`;
  const constants: Record<string, string[] | Record<string, string>> = { ALGORITHMS: config.algorithms };
  if (config.issuer !== null) constants.ISSUERS = config.issuer;
  if (config.audience !== null) constants.AUDIENCES = config.audience;
  return { request, constants, helpers: { __edge_jwtobject: object, __edge_jwtdeny: deny } };
}

// The hooks below are lowered as source text: they use only their parameters, globals and
// require(). The two HMAC hooks run on CloudFront Functions (ES5, no atob, no Buffer), so they
// carry their own base64url decoder; they differ only in where the secret comes from. A hook is
// chosen by the factory, so an artifact holds only the code its options need.

function jwtVerifyHmacRequest(ctx: RequestContext, config: HmacConfig): Answer | undefined {
  function deny(): Answer {
    if (config.redirect === null) return ctx.respond({ status: 401, headers: { 'www-authenticate': 'Bearer' } });
    // The login page, with the original path and query string in redirect_uri: encoded whole
    // (no CR, LF, '&' or '#' of the viewer's survives), left out when too long to encode cheaply
    // (over 2048 characters or 64 parameters: the hand-written 1.0 code stops rebuilding the
    // query string there) or not encodable (a lone surrogate).
    const uri = ctx.request.uri;
    let location = config.redirect;
    if (uri.length <= 2048) {
      const query = ctx.request.querystring.toString();
      if (uri.length + query.length <= 2048 && (query.length < 64 || query.split('&').length <= 64)) {
        try {
          location = config.redirectUri + encodeURIComponent(query ? uri + '?' + query : uri);
        } catch (e) {
          location = config.redirect;
        }
      }
    }
    return ctx.redirect(location, 302);
  }
  // base64url without padding to its bytes; null when malformed.
  function bytes(s: string): number[] | null {
    const out: number[] = [];
    let w = 0;
    let k = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      // A-Z 0-25, a-z 26-51, 0-9 52-61, '-' 62, '_' 63; anything else is malformed.
      const v = c > 96 ? (c < 123 ? c - 71 : -1) : c > 64 ? (c < 91 ? c - 65 : c === 95 ? 63 : -1) : c > 47 ? (c < 58 ? c + 4 : -1) : c === 45 ? 62 : -1;
      if (v < 0) return null;
      w = (w << 6) | v;
      if (++k === 4) {
        out.push(w >> 16, (w >> 8) & 255, w & 255);
        w = 0;
        k = 0;
      }
    }
    if (k === 1) return null;
    if (k === 2) out.push(w >> 4);
    else if (k === 3) out.push(w >> 10, (w >> 2) & 255);
    return out;
  }
  // A base64url-encoded UTF-8 JSON object; null for anything else.
  function object(s: string): Record<string, unknown> | null {
    const b = bytes(s);
    if (b === null) return null;
    // Bytes to text from the numbers, never by indexing a string: njs finds the i-th character
    // of a string holding non-ASCII characters by walking it (quadratic). ASCII takes one
    // fromCharCode per 1000 bytes (njs's apply takes at most 1024 arguments); UTF-8 goes
    // through decodeURIComponent, which refuses what is not UTF-8, by one join.
    const parts: string[] = [];
    let ascii = true;
    for (let i = 0; i < b.length && ascii; i++) ascii = b[i] < 128;
    if (ascii) {
      for (let i = 0; i < b.length; i += 1000) parts.push(String.fromCharCode.apply(null, b.slice(i, i + 1000)));
    } else {
      for (let i = 0; i < b.length; i++) parts.push(b[i] > 127 || b[i] === 37 ? '%' + b[i].toString(16) : String.fromCharCode(b[i]));
    }
    try {
      const text = ascii ? parts.join('') : decodeURIComponent(parts.join(''));
      const v = JSON.parse(text);
      return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : null;
    } catch (e) {
      return null;
    }
  }
  // One value: a second one (multiValue on CloudFront Functions, another entry on Lambda@Edge)
  // would reach the origin unverified, whatever strip is. The cheap checks first (length,
  // scheme, three parts, the header's length, at most 2048 characters: Cognito's, Auth0's or
  // Entra ID's are ~100): an oversized or malformed token is denied before a byte is decoded.
  let token: string;
  if (config.from === 'bearer') {
    const all = ctx.request.headers.getAll('authorization');
    if (all.length !== 1) return deny();
    const auth = all[0];
    if (auth.length > config.maxLength || auth.length < 8 || auth.charCodeAt(6) !== 32 || auth.slice(0, 6).toLowerCase() !== 'bearer') return deny();
    token = auth.slice(7).trim();
  } else {
    const all = config.from === 'cookie' ? ctx.request.cookies.getAll(config.name) : ctx.request.querystring.getAll(config.name);
    if (all.length !== 1 || all[0].length > config.maxLength) return deny();
    token = all[0];
  }
  const d1 = token.indexOf('.');
  const d2 = token.indexOf('.', d1 + 1);
  if (d1 < 1 || d1 > 2048 || d2 < d1 + 2 || d2 === token.length - 1 || token.indexOf('.', d2 + 1) >= 0) return deny();
  // The signature first: its length names the hash (43, 64 or 86 base64url characters for
  // sha256, sha384, sha512), so a forged token costs one HMAC and not a byte of it is decoded.
  const given = token.slice(d2 + 1);
  const hash = given.length === 43 ? 'sha256' : given.length === 64 ? 'sha384' : given.length === 86 ? 'sha512' : '';
  if (config.hashes.indexOf(hash) < 0) return deny();
  const expected: string = require('crypto').createHmac(hash, config.secret).update(token.slice(0, d2)).digest('base64url');
  // Constant time: every character is compared whatever the first difference.
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ given.charCodeAt(i);
  if (diff !== 0) return deny();
  // Signed with the secret: the header's alg must be a configured one of this hash (`none`,
  // RS*/ES* and prototype names have no entry).
  const header = object(token.slice(0, d1));
  if (header === null || typeof header.alg !== 'string' || header.crit !== undefined || config.algorithms[header.alg] !== hash) return deny();
  const claims = object(token.slice(d1 + 1, d2));
  if (claims === null) return deny();
  const now = Math.floor(Date.now() / 1000);
  const tolerance = config.clockTolerance;
  if ((config.requireExp || claims.exp !== undefined) && (typeof claims.exp !== 'number' || claims.exp <= now - tolerance)) return deny();
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > now + tolerance)) return deny();
  if (claims.iat !== undefined && typeof claims.iat !== 'number') return deny();
  // maxAge, as jose's maxTokenAge: a numeric iat, not in the future, at most maxAge seconds ago.
  if (config.maxAge && (typeof claims.iat !== 'number' || claims.iat > now + tolerance || now - claims.iat - tolerance > config.maxAge)) return deny();
  if (config.issuer !== null && (typeof claims.iss !== 'string' || config.issuer.indexOf(claims.iss) < 0)) return deny();
  if (config.tokenUse !== null && claims.token_use !== config.tokenUse) return deny();
  if (config.audience !== null) {
    // Cognito access tokens name their app client in client_id and carry no aud.
    const aud = config.tokenUse === 'access' ? claims.client_id : claims.aud;
    let ok = typeof aud === 'string' && config.audience.indexOf(aud) >= 0;
    if (!ok && Array.isArray(aud)) for (let i = 0; i < aud.length && !ok; i++) ok = typeof aud[i] === 'string' && config.audience.indexOf(aud[i]) >= 0;
    if (!ok) return deny();
  }
  if (config.strip) {
    if (config.from === 'bearer') ctx.request.headers.delete('authorization');
    else ctx.request.querystring.delete(config.name);
  }
  return undefined;
}

function jwtVerifyHmacKvsRequest(ctx: RequestContext, config: HmacKvsConfig): Answer | Promise<Answer | undefined> {
  function deny(): Answer {
    if (config.redirect === null) return ctx.respond({ status: 401, headers: { 'www-authenticate': 'Bearer' } });
    // The login page, with the original path and query string in redirect_uri: encoded whole
    // (no CR, LF, '&' or '#' of the viewer's survives), left out when too long to encode cheaply
    // (over 2048 characters or 64 parameters: the hand-written 1.0 code stops rebuilding the
    // query string there) or not encodable (a lone surrogate).
    const uri = ctx.request.uri;
    let location = config.redirect;
    if (uri.length <= 2048) {
      const query = ctx.request.querystring.toString();
      if (uri.length + query.length <= 2048 && (query.length < 64 || query.split('&').length <= 64)) {
        try {
          location = config.redirectUri + encodeURIComponent(query ? uri + '?' + query : uri);
        } catch (e) {
          location = config.redirect;
        }
      }
    }
    return ctx.redirect(location, 302);
  }
  // base64url without padding to its bytes; null when malformed.
  function bytes(s: string): number[] | null {
    const out: number[] = [];
    let w = 0;
    let k = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      // A-Z 0-25, a-z 26-51, 0-9 52-61, '-' 62, '_' 63; anything else is malformed.
      const v = c > 96 ? (c < 123 ? c - 71 : -1) : c > 64 ? (c < 91 ? c - 65 : c === 95 ? 63 : -1) : c > 47 ? (c < 58 ? c + 4 : -1) : c === 45 ? 62 : -1;
      if (v < 0) return null;
      w = (w << 6) | v;
      if (++k === 4) {
        out.push(w >> 16, (w >> 8) & 255, w & 255);
        w = 0;
        k = 0;
      }
    }
    if (k === 1) return null;
    if (k === 2) out.push(w >> 4);
    else if (k === 3) out.push(w >> 10, (w >> 2) & 255);
    return out;
  }
  // A base64url-encoded UTF-8 JSON object; null for anything else.
  function object(s: string): Record<string, unknown> | null {
    const b = bytes(s);
    if (b === null) return null;
    // Bytes to text from the numbers, never by indexing a string: njs finds the i-th character
    // of a string holding non-ASCII characters by walking it (quadratic). ASCII takes one
    // fromCharCode per 1000 bytes (njs's apply takes at most 1024 arguments); UTF-8 goes
    // through decodeURIComponent, which refuses what is not UTF-8, by one join.
    const parts: string[] = [];
    let ascii = true;
    for (let i = 0; i < b.length && ascii; i++) ascii = b[i] < 128;
    if (ascii) {
      for (let i = 0; i < b.length; i += 1000) parts.push(String.fromCharCode.apply(null, b.slice(i, i + 1000)));
    } else {
      for (let i = 0; i < b.length; i++) parts.push(b[i] > 127 || b[i] === 37 ? '%' + b[i].toString(16) : String.fromCharCode(b[i]));
    }
    try {
      const text = ascii ? parts.join('') : decodeURIComponent(parts.join(''));
      const v = JSON.parse(text);
      return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : null;
    } catch (e) {
      return null;
    }
  }
  // One value: a second one (multiValue on CloudFront Functions, another entry on Lambda@Edge)
  // would reach the origin unverified, whatever strip is. The cheap checks first (length,
  // scheme, three parts, the header's length, at most 2048 characters: Cognito's, Auth0's or
  // Entra ID's are ~100): an oversized or malformed token is denied before a byte is decoded.
  let token: string;
  if (config.from === 'bearer') {
    const all = ctx.request.headers.getAll('authorization');
    if (all.length !== 1) return deny();
    const auth = all[0];
    if (auth.length > config.maxLength || auth.length < 8 || auth.charCodeAt(6) !== 32 || auth.slice(0, 6).toLowerCase() !== 'bearer') return deny();
    token = auth.slice(7).trim();
  } else {
    const all = config.from === 'cookie' ? ctx.request.cookies.getAll(config.name) : ctx.request.querystring.getAll(config.name);
    if (all.length !== 1 || all[0].length > config.maxLength) return deny();
    token = all[0];
  }
  const d1 = token.indexOf('.');
  const d2 = token.indexOf('.', d1 + 1);
  if (d1 < 1 || d1 > 2048 || d2 < d1 + 2 || d2 === token.length - 1 || token.indexOf('.', d2 + 1) >= 0) return deny();
  // The signature first (see jwtVerifyHmacRequest): an HMAC-SHA256 in base64url is 43
  // characters; no store read for another length, and nothing decoded before the HMAC holds.
  const given = token.slice(d2 + 1);
  if (given.length !== 43) return deny();
  // A missing key reads as undefined: deny.
  return ctx.kvs(config.secretKey).then(function (secret) {
    if (typeof secret !== 'string' || !secret) return deny();
    const expected: string = require('crypto').createHmac('sha256', secret).update(token.slice(0, d2)).digest('base64url');
    // Constant time: every character is compared whatever the first difference.
    let diff = 0;
    for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ given.charCodeAt(i);
    if (diff !== 0) return deny();
    const header = object(token.slice(0, d1));
    if (header === null || typeof header.alg !== 'string' || header.crit !== undefined || config.algorithms[header.alg] !== 'sha256') return deny();
    const claims = object(token.slice(d1 + 1, d2));
    if (claims === null) return deny();
    const now = Math.floor(Date.now() / 1000);
    const tolerance = config.clockTolerance;
    if ((config.requireExp || claims.exp !== undefined) && (typeof claims.exp !== 'number' || claims.exp <= now - tolerance)) return deny();
    if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > now + tolerance)) return deny();
    if (claims.iat !== undefined && typeof claims.iat !== 'number') return deny();
    // maxAge, as jose's maxTokenAge: a numeric iat, not in the future, at most maxAge seconds ago.
    if (config.maxAge && (typeof claims.iat !== 'number' || claims.iat > now + tolerance || now - claims.iat - tolerance > config.maxAge)) return deny();
    if (config.issuer !== null && (typeof claims.iss !== 'string' || config.issuer.indexOf(claims.iss) < 0)) return deny();
    if (config.tokenUse !== null && claims.token_use !== config.tokenUse) return deny();
    if (config.audience !== null) {
      // Cognito access tokens name their app client in client_id and carry no aud.
      const aud = config.tokenUse === 'access' ? claims.client_id : claims.aud;
      let ok = typeof aud === 'string' && config.audience.indexOf(aud) >= 0;
      if (!ok && Array.isArray(aud)) for (let i = 0; i < aud.length && !ok; i++) ok = typeof aud[i] === 'string' && config.audience.indexOf(aud[i]) >= 0;
      if (!ok) return deny();
    }
    if (config.strip) {
      if (config.from === 'bearer') ctx.request.headers.delete('authorization');
      else ctx.request.querystring.delete(config.name);
    }
    return undefined;
  }, deny);
}

// Lambda@Edge only (crypto:verify): Buffer and node:crypto are there. Keys are imported once per
// warm container, memoized on the config object (a module-level literal in the artifact).
function jwtVerifyJwksRequest(ctx: RequestContext, config: JwksConfig): Answer | undefined {
  function deny(): Answer {
    if (config.redirect === null) return ctx.respond({ status: 401, headers: { 'www-authenticate': 'Bearer' } });
    // The login page, with the original path and query string in redirect_uri: encoded whole
    // (no CR, LF, '&' or '#' of the viewer's survives), left out when too long to encode cheaply
    // (over 2048 characters or 64 parameters: the hand-written 1.0 code stops rebuilding the
    // query string there) or not encodable (a lone surrogate).
    const uri = ctx.request.uri;
    let location = config.redirect;
    if (uri.length <= 2048) {
      const query = ctx.request.querystring.toString();
      if (uri.length + query.length <= 2048 && (query.length < 64 || query.split('&').length <= 64)) {
        try {
          location = config.redirectUri + encodeURIComponent(query ? uri + '?' + query : uri);
        } catch (e) {
          location = config.redirect;
        }
      }
    }
    return ctx.redirect(location, 302);
  }
  function object(s: string): Record<string, unknown> | null {
    // Buffer's base64url decoder skips characters it does not know: check the alphabet first.
    if (!/^[A-Za-z0-9_-]+$/.test(s)) return null;
    try {
      const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
      return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : null;
    } catch (e) {
      return null;
    }
  }
  // One value: a second one (multiValue on CloudFront Functions, another entry on Lambda@Edge)
  // would reach the origin unverified, whatever strip is. The cheap checks first (length,
  // scheme, three parts, the header's length, at most 2048 characters: Cognito's, Auth0's or
  // Entra ID's are ~100): an oversized or malformed token is denied before a byte is decoded.
  let token: string;
  if (config.from === 'bearer') {
    const all = ctx.request.headers.getAll('authorization');
    if (all.length !== 1) return deny();
    const auth = all[0];
    if (auth.length > config.maxLength || auth.length < 8 || auth.charCodeAt(6) !== 32 || auth.slice(0, 6).toLowerCase() !== 'bearer') return deny();
    token = auth.slice(7).trim();
  } else {
    const all = config.from === 'cookie' ? ctx.request.cookies.getAll(config.name) : ctx.request.querystring.getAll(config.name);
    if (all.length !== 1 || all[0].length > config.maxLength) return deny();
    token = all[0];
  }
  const d1 = token.indexOf('.');
  const d2 = token.indexOf('.', d1 + 1);
  if (d1 < 1 || d1 > 2048 || d2 < d1 + 2 || d2 === token.length - 1 || token.indexOf('.', d2 + 1) >= 0) return deny();
  const header = object(token.slice(0, d1));
  if (header === null || typeof header.alg !== 'string' || header.crit !== undefined) return deny();
  const alg = header.alg;
  if (!Object.prototype.hasOwnProperty.call(config.algorithms, alg)) return deny();
  const spec = config.algorithms[alg];
  const kid = header.kid;
  if (kid !== undefined && typeof kid !== 'string') return deny();
  const claims = object(token.slice(d1 + 1, d2));
  if (claims === null) return deny();
  const now = Math.floor(Date.now() / 1000);
  const tolerance = config.clockTolerance;
  if ((config.requireExp || claims.exp !== undefined) && (typeof claims.exp !== 'number' || claims.exp <= now - tolerance)) return deny();
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > now + tolerance)) return deny();
  if (claims.iat !== undefined && typeof claims.iat !== 'number') return deny();
  // maxAge, as jose's maxTokenAge: a numeric iat, not in the future, at most maxAge seconds ago.
  if (config.maxAge && (typeof claims.iat !== 'number' || claims.iat > now + tolerance || now - claims.iat - tolerance > config.maxAge)) return deny();
  if (config.issuer !== null && (typeof claims.iss !== 'string' || config.issuer.indexOf(claims.iss) < 0)) return deny();
  if (config.tokenUse !== null && claims.token_use !== config.tokenUse) return deny();
  if (config.audience !== null) {
    const aud = config.tokenUse === 'access' ? claims.client_id : claims.aud;
    let ok = typeof aud === 'string' && config.audience.indexOf(aud) >= 0;
    if (!ok && Array.isArray(aud)) for (let i = 0; i < aud.length && !ok; i++) ok = typeof aud[i] === 'string' && config.audience.indexOf(aud[i]) >= 0;
    if (!ok) return deny();
  }
  const sigText = token.slice(d2 + 1);
  if (!/^[A-Za-z0-9_-]+$/.test(sigText)) return deny();
  const signature = Buffer.from(sigText, 'base64url');
  if (spec.size && signature.length !== spec.size) return deny();
  const crypto = require('crypto');
  const g = globalThis as unknown as { __edgelineJwks?: WeakMap<object, unknown[]> };
  const memo = g.__edgelineJwks || (g.__edgelineJwks = new WeakMap());
  let imported = memo.get(config);
  if (!imported) {
    imported = [];
    for (let i = 0; i < config.keys.length; i++) {
      try {
        imported.push(crypto.createPublicKey({ key: config.keys[i].jwk, format: 'jwk' }));
      } catch (e) {
        imported.push(null);
      }
    }
    memo.set(config, imported);
  }
  const signed = Buffer.from(token.slice(0, d2));
  let ok = false;
  // Every key of the right type (and kid, when the token names one) is tried, as jose does.
  for (let i = 0; i < config.keys.length && !ok; i++) {
    const k = config.keys[i];
    if (!imported[i] || k.kty !== spec.kty || (spec.crv !== null && k.crv !== spec.crv) || (k.alg !== null && k.alg !== alg)) continue;
    if (kid !== undefined && k.kid !== kid) continue;
    const key = spec.kty === 'EC'
      ? { key: imported[i], dsaEncoding: 'ieee-p1363' }
      : spec.pss
        ? { key: imported[i], padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: crypto.constants.RSA_PSS_SALTLEN_DIGEST }
        : imported[i];
    try {
      ok = crypto.verify(spec.hash, signed, key, signature) === true;
    } catch (e) {
      ok = false;
    }
  }
  if (!ok) return deny();
  if (config.strip) {
    if (config.from === 'bearer') ctx.request.headers.delete('authorization');
    else ctx.request.querystring.delete(config.name);
  }
  return undefined;
}

// Lambda@Edge only (network): jose's remote key set, one per URL per warm container; it caches
// the keys, refetches for an unknown kid (with a cooldown) and times out. Any failure denies.
async function jwtVerifyJwksUrlRequest(ctx: RequestContext, config: JwksUrlConfig): Promise<Answer | undefined> {
  function deny(): Answer {
    if (config.redirect === null) return ctx.respond({ status: 401, headers: { 'www-authenticate': 'Bearer' } });
    // The login page, with the original path and query string in redirect_uri: encoded whole
    // (no CR, LF, '&' or '#' of the viewer's survives), left out when too long to encode cheaply
    // (over 2048 characters or 64 parameters: the hand-written 1.0 code stops rebuilding the
    // query string there) or not encodable (a lone surrogate).
    const uri = ctx.request.uri;
    let location = config.redirect;
    if (uri.length <= 2048) {
      const query = ctx.request.querystring.toString();
      if (uri.length + query.length <= 2048 && (query.length < 64 || query.split('&').length <= 64)) {
        try {
          location = config.redirectUri + encodeURIComponent(query ? uri + '?' + query : uri);
        } catch (e) {
          location = config.redirect;
        }
      }
    }
    return ctx.redirect(location, 302);
  }
  // One value: a second one (multiValue on CloudFront Functions, another entry on Lambda@Edge)
  // would reach the origin unverified, whatever strip is. The cheap checks first (length,
  // scheme, three parts, the header's length, at most 2048 characters: Cognito's, Auth0's or
  // Entra ID's are ~100): an oversized or malformed token is denied before a byte is decoded.
  let token: string;
  if (config.from === 'bearer') {
    const all = ctx.request.headers.getAll('authorization');
    if (all.length !== 1) return deny();
    const auth = all[0];
    if (auth.length > config.maxLength || auth.length < 8 || auth.charCodeAt(6) !== 32 || auth.slice(0, 6).toLowerCase() !== 'bearer') return deny();
    token = auth.slice(7).trim();
  } else {
    const all = config.from === 'cookie' ? ctx.request.cookies.getAll(config.name) : ctx.request.querystring.getAll(config.name);
    if (all.length !== 1 || all[0].length > config.maxLength) return deny();
    token = all[0];
  }
  const d1 = token.indexOf('.');
  if (d1 < 1 || d1 > 2048 || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) return deny();
  const jose = require('jose');
  const g = globalThis as unknown as { __edgelineJwksSets?: Map<string, unknown> };
  const sets = g.__edgelineJwksSets || (g.__edgelineJwksSets = new Map());
  const id = config.jwksUrl + ' ' + config.timeout;
  let keySet = sets.get(id);
  if (!keySet) {
    keySet = jose.createRemoteJWKSet(new URL(config.jwksUrl), { timeoutDuration: config.timeout, cooldownDuration: 30000, cacheMaxAge: 600000 });
    sets.set(id, keySet);
  }
  const checks: Record<string, unknown> = { algorithms: config.algorithms, clockTolerance: config.clockTolerance, requiredClaims: config.requireExp ? ['exp'] : [] };
  if (config.maxAge) checks.maxTokenAge = config.maxAge;
  if (config.issuer !== null) checks.issuer = config.issuer;
  if (config.audience !== null && config.tokenUse !== 'access') checks.audience = config.audience;
  let claims: Record<string, unknown>;
  try {
    claims = (await jose.jwtVerify(token, keySet, checks)).payload;
  } catch (e) {
    return deny();
  }
  if (config.tokenUse !== null && claims.token_use !== config.tokenUse) return deny();
  if (config.audience !== null && config.tokenUse === 'access') {
    // Cognito access tokens name their app client in client_id and carry no aud.
    if (typeof claims.client_id !== 'string' || config.audience.indexOf(claims.client_id) < 0) return deny();
  }
  if (config.strip) {
    if (config.from === 'bearer') ctx.request.headers.delete('authorization');
    else ctx.request.querystring.delete(config.name);
  }
  return undefined;
}
