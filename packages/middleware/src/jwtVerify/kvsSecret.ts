import { ConfigError, defineMiddleware, type Answer, type Middleware, type RequestContext } from '@edgeline/core';
import { knownOptions, stringOption } from '../lib/options.js';
import type { ClaimConfig, HmacAlgorithm, JwtBase, JwtClaimOptions, NoKeySource } from './options.js';

/** HS256 with the secret read from the function's KeyValueStore (cloudfront-js-2.0), so it is not in the code. */
export interface JwtKvsSecretOptions extends JwtClaimOptions, Omit<NoKeySource, 'secret'> {
  algorithms: readonly 'HS256'[];
  secret: { kvs: string };
}

type HmacKvsConfig = ClaimConfig & { algorithms: Record<string, string>; hashes: string[]; secretKey: string };

/** jwtVerify with the HS256 secret read per request from the function's KeyValueStore (cloudfront-js-2.0). */
export function kvsSecretMiddleware(base: JwtBase, claims: ClaimConfig, hmac: HmacAlgorithm[], table: Record<string, string>, value: Record<string, unknown>): Middleware<'crypto:hmac' | 'kvs' | 'async'> {
  knownOptions(value, ['kvs'], 'secret');
  const key = stringOption('secret.kvs', value.kvs);
  if (Buffer.byteLength(key) > 512) throw new ConfigError('secret.kvs', 'a KeyValueStore key is at most 512 bytes');
  if (hmac.some((a) => a !== 'HS256')) {
    throw new ConfigError('algorithms', 'a KeyValueStore secret is read by a CloudFront Function, whose HMAC offers sha256 only: use HS256');
  }
  const config: HmacKvsConfig = { ...claims, algorithms: table, hashes: ['sha256'], secretKey: key };
  return defineMiddleware<'crypto:hmac' | 'kvs' | 'async', HmacKvsConfig>({ ...base, needs: ['crypto:hmac', 'kvs', 'async'], config, request: jwtVerifyHmacKvsRequest });
}

// The hook is lowered as source text: it uses only its parameters, globals and require(). It runs
// on CloudFront Functions 2.0 (async/await and Buffer natively), where the build keeps it async.

async function jwtVerifyHmacKvsRequest(ctx: RequestContext, config: HmacKvsConfig): Promise<Answer | undefined> {
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
  // A base64url-encoded UTF-8 JSON object; null for anything else. The engine decodes (2.0's
  // Buffer, as Node's): the alphabet is checked first, as Buffer skips what it does not know, and
  // text that was not UTF-8 comes out with U+FFFD.
  function object(s: string): Record<string, unknown> | null {
    if (s.length % 4 === 1 || !/^[A-Za-z0-9_-]+$/.test(s)) return null;
    const text = Buffer.from(s, 'base64url').toString();
    if (text.indexOf('\ufffd') >= 0) return null;
    try {
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
  const secret = await ctx.kvs(config.secretKey);
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
}
