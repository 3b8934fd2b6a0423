import { createPublicKey } from 'node:crypto';
import { ConfigError, defineMiddleware, type Answer, type Middleware, type RequestContext } from '@edgeline/core';
import { repr, isPlainObject } from '../lib/options.js';
import { ASYMMETRIC, isAsymmetric, type AlgorithmSpec, type AsymmetricAlgorithm, type ClaimConfig, type JwtBase, type JwtClaimOptions, type NoKeySource } from './options.js';

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

/** RS*, PS*, ES* against public keys inlined in the artifact (Lambda@Edge). */
export interface JwtJwksOptions extends JwtClaimOptions, Omit<NoKeySource, 'jwks'> {
  algorithms: readonly AsymmetricAlgorithm[];
  jwks: { keys: readonly PublicJwk[] };
}

type KeyConfig = { kid: string | null; alg: string | null; kty: string; crv: string | null; jwk: Record<string, string> };
type JwksConfig = ClaimConfig & { algorithms: Record<string, AlgorithmSpec>; keys: KeyConfig[] };

/** jwtVerify against public keys inlined in the artifact (Lambda@Edge). */
export function jwksMiddleware(base: JwtBase, claims: ClaimConfig, asymmetric: AsymmetricAlgorithm[], value: unknown): Middleware<'crypto:verify'> {
  const table: Record<string, AlgorithmSpec> = {};
  for (const alg of asymmetric) table[alg] = ASYMMETRIC[alg];
  const config: JwksConfig = { ...claims, algorithms: table, keys: jwksOption(value, asymmetric) };
  return defineMiddleware<'crypto:verify', JwksConfig>({ ...base, needs: ['crypto:verify'], config, request: jwtVerifyJwksRequest });
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
