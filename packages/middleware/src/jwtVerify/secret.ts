import { ConfigError, defineMiddleware, type Answer, type CfRuntime, type DirectHooks, type Middleware, type RequestContext } from '@edgeline/core';
import { stringOption } from '../lib/options.js';
import { HMAC, type ClaimConfig, type HmacAlgorithm, type JwtBase, type JwtClaimOptions, type NoKeySource } from './options.js';

/** HS256/384/512 with a shared secret inlined in the artifact. */
export interface JwtSecretOptions extends JwtClaimOptions, Omit<NoKeySource, 'secret'> {
  algorithms: readonly HmacAlgorithm[];
  /** At least as many bytes as the hash output (32 for HS256, 48 for HS384, 64 for HS512). */
  secret: string;
}

/** `algorithms`: alg -> hash; `hashes`: the hashes they use (the signature's length tells which). */
type HmacConfig = ClaimConfig & { algorithms: Record<string, string>; hashes: string[]; secret: string };

/**
 * jwtVerify with the secret inlined: HS256 on every target (the hand-written CloudFront code
 * below where it applies), HS384/HS512 on Lambda@Edge.
 */
export function secretMiddleware(base: JwtBase, claims: ClaimConfig, hmac: HmacAlgorithm[], table: Record<string, string>, value: unknown): Middleware<'crypto:hmac' | 'crypto:verify'> {
  const secret = stringOption('secret', value);
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
  const deny = config.redirect === null
    ? "function () {\n  return { statusCode: 401, headers: { 'www-authenticate': { value: 'Bearer' } } };\n}"
    : runtime === 'cloudfront-js-2.0'
      // CloudFront's 2.0 viewer request always has rawQueryString() (undefined without a '?'), as
      // the lowering's own reads assume: no rebuild, no bound before reading it.
      ? `function (request) {
  var uri = request.uri, query = request.rawQueryString() || '', location = ${JSON.stringify(config.redirect)};
  if (uri.length + query.length <= 2048 && (query.length < 64 || query.split('&').length <= 64)) {
    try {
      location += ${JSON.stringify(config.redirectUri.slice(config.redirect.length))} + encodeURIComponent(query ? uri + '?' + query : uri);
    } catch (e) {}
  }
  return { statusCode: 302, headers: { location: { value: location } } };
}`
      : `function (request) {
  var uri = request.uri, location = ${JSON.stringify(config.redirect)};
  if (uri.length <= 2048) {
    var query;
    ${rebuild}
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
  if (value.length > ${config.maxLength} || value.charCodeAt(6) !== 32 || value.slice(0, 6).toLowerCase() !== 'bearer') return __edge_jwtdeny(request);
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
  // No leeway (the default) is no arithmetic.
  const early = tolerance ? `now - ${tolerance}` : 'now';
  const late = tolerance ? `now + ${tolerance}` : 'now';
  const exp = `typeof claims.exp !== 'number' || claims.exp <= ${early}`;
  const request = `function (request) {
  ${read}
  // Two dots, the second 43 characters from the end (a dot in the signature fails the compare),
  // the header at most 2,048 characters: native searches only before the HMAC, so a forged
  // token costs little more than a valid one; the alphabet is checked where a segment is decoded.
  var d1 = token.indexOf('.'), d2 = token.length - 44;
  if (d1 < 1 || d1 > 2048 || d2 < d1 + 2 || token.indexOf('.', d1 + 1) !== d2) return __edge_jwtdeny(request);
  // The signature first: nothing of a forged token is decoded.
  var expected = require('crypto').createHmac('sha256', ${JSON.stringify(config.secret)}).update(token.slice(0, d2)).digest('base64url');
  var diff = 0;
  for (var i = 0; i < 43; i++) diff |= expected.charCodeAt(i) ^ token.charCodeAt(d2 + 1 + i);
  if (diff !== 0) return __edge_jwtdeny(request);
  var header = __edge_jwtobject(token.slice(0, d1));
  if (header === null || header.alg !== 'HS256' || header.crit !== undefined) return __edge_jwtdeny(request);
  var claims = __edge_jwtobject(token.slice(d1 + 1, d2));
  if (claims === null) return __edge_jwtdeny(request);
  var now = Math.floor(Date.now() / 1000);
  if (${config.requireExp ? exp : `claims.exp !== undefined && (${exp})`}) return __edge_jwtdeny(request);
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > ${late})) return __edge_jwtdeny(request);
  if (claims.iat !== undefined && typeof claims.iat !== 'number') return __edge_jwtdeny(request);${config.maxAge ? `
  if (typeof claims.iat !== 'number' || claims.iat > ${late} || ${early} - claims.iat > ${config.maxAge}) return __edge_jwtdeny(request);` : ''}${config.issuer === null ? '' : `
  if (${config.issuer.length === 1 ? `claims.iss !== ${JSON.stringify(config.issuer[0])}` : "typeof claims.iss !== 'string' || ISSUERS.indexOf(claims.iss) < 0"}) return __edge_jwtdeny(request);`}${config.tokenUse === null ? '' : `
  if (claims.token_use !== ${JSON.stringify(config.tokenUse)}) return __edge_jwtdeny(request);`}${config.audience === null ? '' : `
  var aud = ${aud}, ok = typeof aud === 'string' && AUDIENCES.indexOf(aud) >= 0;
  if (!ok && Array.isArray(aud)) for (var j = 0; j < aud.length && !ok; j++) ok = typeof aud[j] === 'string' && AUDIENCES.indexOf(aud[j]) >= 0;
  if (!ok) return __edge_jwtdeny(request);`}${!config.strip ? '' : config.from === 'bearer' ? `
  delete request.headers.authorization;` : `
  delete request.querystring[${name}];`}
  return request;
}`;
  // CloudFront's HMAC is sha256 at most, so HS256 is the one algorithm a cf build accepts.
  const constants: Record<string, string[] | Record<string, string>> = {};
  if (config.issuer !== null && config.issuer.length > 1) constants.ISSUERS = config.issuer;
  if (config.audience !== null) constants.AUDIENCES = config.audience;
  // Nothing above throws on any event (reads guarded, JSON.parse and decodeURIComponent in a try,
  // the decoder fed only the base64url alphabet): no try/catch around it.
  return { request, constants, helpers: { __edge_jwtobject: object, __edge_jwtdeny: deny }, safe: true };
}

// The hook is lowered as source text: it uses only its parameters, globals and require(). It runs
// on CloudFront Functions (ES5, no atob, no Buffer), so it carries its own base64url decoder
// (kvsSecret.ts's hook differs only in where the secret comes from).

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
