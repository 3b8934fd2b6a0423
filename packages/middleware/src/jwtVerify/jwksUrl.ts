import { ConfigError, defineMiddleware, type Answer, type Middleware, type RequestContext } from '@edgeline/core';
import { repr, stringOption } from '../lib/options.js';
import type { AsymmetricAlgorithm, ClaimConfig, JwtBase, JwtClaimOptions, NoKeySource } from './options.js';

/** RS*, PS*, ES* against a key set fetched from a URL and cached by the warm container (Lambda@Edge). */
export interface JwtJwksUrlOptions extends JwtClaimOptions, Omit<NoKeySource, 'jwksUrl' | 'jwksTimeout'> {
  algorithms: readonly AsymmetricAlgorithm[];
  /** https (http only for a loopback host, in tests). */
  jwksUrl: string;
  /** Milliseconds to wait for the key set before denying. Default 1500. */
  jwksTimeout?: number;
}

type JwksUrlConfig = ClaimConfig & {
  algorithms: string[];
  jwksUrl: string;
  timeout: number;
};

/** jwtVerify against a key set fetched from a URL and cached by the warm container (Lambda@Edge). */
export function jwksUrlMiddleware(base: JwtBase, claims: ClaimConfig, asymmetric: AsymmetricAlgorithm[], url: unknown, timeout: unknown): Middleware<'crypto:verify' | 'network' | 'async'> {
  const config: JwksUrlConfig = {
    ...claims,
    algorithms: asymmetric,
    jwksUrl: jwksUrlOption(url),
    timeout: timeoutOption(timeout),
  };
  return defineMiddleware<'crypto:verify' | 'network' | 'async', JwksUrlConfig>({
    ...base, needs: ['crypto:verify', 'network', 'async'], config, request: jwtVerifyJwksUrlRequest,
  });
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
