import { ConfigError, type Middleware } from '@edgeline/core';
import { isPlainObject, knownOptions, named } from '../lib/options.js';
import { jwksMiddleware, type JwtJwksOptions } from './jwks.js';
import { jwksUrlMiddleware, type JwtJwksUrlOptions } from './jwksUrl.js';
import { kvsSecretMiddleware, type JwtKvsSecretOptions } from './kvsSecret.js';
import { algorithmsOption, claimOptions, HMAC, isAsymmetric, isHmac, type JwtBase } from './options.js';
import { secretMiddleware, type JwtSecretOptions } from './secret.js';

// The factory: the options every key source shares, then the key source's own file (secret.ts,
// kvsSecret.ts, jwks.ts, jwksUrl.ts) parses its key and gives the middleware with its hook.

export type JwtVerifyOptions = JwtSecretOptions | JwtKvsSecretOptions | JwtJwksOptions | JwtJwksUrlOptions;
export type JwtCapability = 'crypto:hmac' | 'crypto:verify' | 'kvs' | 'network' | 'async';

const OPTIONS = ['algorithms', 'secret', 'jwks', 'jwksUrl', 'jwksTimeout', 'issuer', 'audience', 'tokenUse', 'clockTolerance', 'strip', 'maxTokenLength', 'token', 'requireExp', 'maxAge', 'unauthorized'];
const ON_ERROR = { status: 401, headers: { 'www-authenticate': 'Bearer' } };

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
  const base: JwtBase = { name: 'jwtVerify', onError, warnings };

  if (sources[0] === 'secret') {
    const hmac = algorithms.filter(isHmac);
    if (hmac.length !== algorithms.length) {
      throw new ConfigError('algorithms', `an HMAC secret verifies HS256, HS384 and HS512 only: ${algorithms.filter((a) => !isHmac(a)).join(', ')} needs jwks or jwksUrl`);
    }
    const table: Record<string, string> = {};
    for (const alg of hmac) table[alg] = HMAC[alg].hash;
    if (isPlainObject(o.secret)) return kvsSecretMiddleware(base, claims, hmac, table, o.secret);
    return secretMiddleware(base, claims, hmac, table, o.secret);
  }

  const asymmetric = algorithms.filter(isAsymmetric);
  if (asymmetric.length !== algorithms.length) {
    throw new ConfigError('algorithms', `${algorithms.filter(isHmac).join(', ')} needs a shared secret: an HMAC token is never checked against public keys (algorithm confusion)`);
  }
  if (sources[0] === 'jwks') return jwksMiddleware(base, claims, asymmetric, o.jwks);
  return jwksUrlMiddleware(base, claims, asymmetric, o.jwksUrl, o.jwksTimeout);
}
