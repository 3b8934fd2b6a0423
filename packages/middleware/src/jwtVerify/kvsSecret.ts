import { ConfigError, defineMiddleware, type Answer, type Middleware, type RequestContext } from '@edgeline/core';
import { knownOptions, stringOption } from '../lib/options.js';
import type { ClaimConfig, HmacAlgorithm, JwtBase, JwtClaimOptions, NoKeySource } from './options.js';

/** HS256 with the secret read from the function's KeyValueStore (cloudfront-js-2.0), so it is not in the code. */
export interface JwtKvsSecretOptions extends JwtClaimOptions, Omit<NoKeySource, 'secret'> {
  algorithms: readonly 'HS256'[];
  secret: { kvs: string };
}

/** The claims' options and the store's key; the algorithm is HS256 (checked by name in the hook). */
type HmacKvsConfig = ClaimConfig & { secretKey: string };

/** jwtVerify with the HS256 secret read per request from the function's KeyValueStore (cloudfront-js-2.0). */
export function kvsSecretMiddleware(base: JwtBase, claims: ClaimConfig, hmac: HmacAlgorithm[], _table: Record<string, string>, value: Record<string, unknown>): Middleware<'crypto:hmac' | 'kvs' | 'async'> {
  knownOptions(value, ['kvs'], 'secret');
  const key = stringOption('secret.kvs', value.kvs);
  if (Buffer.byteLength(key) > 512) throw new ConfigError('secret.kvs', 'a KeyValueStore key is at most 512 bytes');
  if (hmac.some((a) => a !== 'HS256')) {
    throw new ConfigError('algorithms', 'a KeyValueStore secret is read by a CloudFront Function, whose HMAC offers sha256 only: use HS256');
  }
  const config: HmacKvsConfig = { ...claims, secretKey: key };
  return defineMiddleware<'crypto:hmac' | 'kvs' | 'async', HmacKvsConfig>({ ...base, needs: ['crypto:hmac', 'kvs', 'async'], config, request: jwtVerifyHmacKvsRequest });
}

// The hook is lowered as source text: it uses only its parameters, globals and require(). It runs
// on CloudFront Functions 2.0 (async/await and Buffer natively), where the build keeps it async.

async function jwtVerifyHmacKvsRequest(ctx: RequestContext, config: HmacKvsConfig): Promise<Answer | undefined> {
  // The query string of the login page's redirect_uri, read first: the lowering takes it as sent
  // (rawQueryString()) only where the text reads it ahead of every loop keyword and write, and
  // it looks at comments too (emit-direct.ts readsBeforeWrites). Nothing without a login page.
  const query = config.redirect === null ? '' : ctx.request.querystring.toString();
  // Written for its CloudFront Function (derived from this text): the checks nest, a token that
  // passes them all returns inside, and every failure falls through to the one denial at the end
  // (no function per answer, no object per check).
  // One value: a second one (multiValue on CloudFront Functions, another entry on Lambda@Edge)
  // would reach the origin unverified, whatever strip is. The cheap checks first (length,
  // scheme, three parts, the header's length, at most 2048 characters: Cognito's, Auth0's or
  // Entra ID's are ~100): an oversized or malformed token is denied before a byte is decoded.
  // A failed check leaves the token empty, which has no first dot.
  const all = config.from === 'bearer' ? ctx.request.headers.getAll('authorization') : config.from === 'cookie' ? ctx.request.cookies.getAll(config.name) : ctx.request.querystring.getAll(config.name);
  const value = all.length === 1 && all[0].length <= config.maxLength ? all[0] : '';
  // 'Bearer' and a space (under 8 characters, the token is empty or the scheme is not there).
  const token = config.from !== 'bearer' ? value : value.charCodeAt(6) === 32 && value.slice(0, 6).toLowerCase() === 'bearer' ? value.slice(7).trim() : '';
  // Three base64url parts, the last an HMAC-SHA256 (43 characters), the header at most 2048
  // characters, no part of 4n+1 characters (Buffer would drop the last one): no store read for
  // another shape, and nothing decoded before the HMAC holds (see jwtVerifyHmacRequest).
  const d1 = token.indexOf('.');
  const d2 = token.lastIndexOf('.');
  if (d1 <= 2048 && d1 % 4 !== 1 && (d2 - d1) % 4 !== 2 && /^[\w-]+\.[\w-]+\.[\w-]{43}$/.test(token)) {
    // A missing key reads as undefined (a KeyValueStore value is a string): deny.
    const secret = await ctx.kvs(config.secretKey);
    if (secret) {
      const expected: string = require('crypto').createHmac('sha256', secret).update(token.slice(0, d2)).digest('base64url');
      // Constant time: all 43 characters are compared whatever the first difference.
      let diff = 0;
      for (let i = 0; i < 43; i++) diff |= expected.charCodeAt(i) ^ token.charCodeAt(d2 + 1 + i);
      // Each part a base64url-encoded UTF-8 JSON object, decoded by the engine (2.0's Buffer, as
      // Node's): text that was not UTF-8 comes out with U+FFFD.
      if (!diff) {
        const head = Buffer.from(token.slice(0, d1), 'base64url').toString();
        const body = Buffer.from(token.slice(d1 + 1, d2), 'base64url').toString();
        let header;
        let claims;
        if ((head + body).indexOf('\ufffd') < 0) {
          try {
            header = JSON.parse(head);
            claims = JSON.parse(body);
          } catch (e) {
            // Not JSON: no claims.
          }
        }
        const now = Math.floor(Date.now() / 1000);
        // Only where an audience is configured (`var`: otherwise this and its check below fold away).
        if (config.audience !== null && claims) {
          // Cognito access tokens name their app client in client_id and carry no aud.
          const aud = config.tokenUse === 'access' ? claims.client_id : claims.aud;
          var audience: boolean | undefined = typeof aud === 'string' && config.audience.indexOf(aud) >= 0;
          if (!audience && Array.isArray(aud)) for (let i = 0; i < aud.length && !audience; i++) audience = typeof aud[i] === 'string' && config.audience.indexOf(aud[i]) >= 0;
        }
        // `alg` is HS256 (the only algorithm of a KeyValueStore secret) and no `crit`: only an
        // object has them. The claims are an object: with exp required, a value other than a
        // plain object has no numeric exp, and the checks below deny it.
        if (
          header && header.alg === 'HS256' && header.crit === undefined &&
          claims && (config.requireExp || (typeof claims === 'object' && !Array.isArray(claims))) &&
          !(
            ((config.requireExp || claims.exp !== undefined) && (typeof claims.exp !== 'number' || claims.exp <= now - config.clockTolerance)) ||
            (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > now + config.clockTolerance)) ||
            (claims.iat !== undefined && typeof claims.iat !== 'number') ||
            // maxAge, as jose's maxTokenAge: a numeric iat, not in the future, at most maxAge seconds ago.
            (config.maxAge && (typeof claims.iat !== 'number' || claims.iat > now + config.clockTolerance || now - claims.iat - config.clockTolerance > config.maxAge)) ||
            (config.issuer !== null && (typeof claims.iss !== 'string' || config.issuer.indexOf(claims.iss) < 0)) ||
            (config.tokenUse !== null && claims.token_use !== config.tokenUse) ||
            (config.audience !== null && !audience)
          )
        ) {
          if (config.strip) {
            if (config.from === 'bearer') ctx.request.headers.delete('authorization');
            else ctx.request.querystring.delete(config.name);
          }
          return undefined;
        }
      }
    }
  }
  if (config.redirect === null) return ctx.respond({ status: 401, headers: { 'www-authenticate': 'Bearer' } });
  // The login page, with the original path and query string in redirect_uri: encoded whole
  // (no CR, LF, '&' or '#' of the viewer's survives), left out when too long to encode cheaply
  // (over 2048 characters or 64 parameters: the hand-written 1.0 code stops rebuilding the
  // query string there) or not encodable (a lone surrogate).
  const uri = ctx.request.uri;
  let location = config.redirect;
  if (uri.length <= 2048 && uri.length + query.length <= 2048 && (query.length < 64 || query.split('&').length <= 64)) {
    try {
      location = config.redirectUri + encodeURIComponent(query ? uri + '?' + query : uri);
    } catch (e) {
      location = config.redirect;
    }
  }
  return ctx.redirect(location, 302);
}
