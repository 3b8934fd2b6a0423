// Hand-written Lambda@Edge handler (Node.js), viewer-request: jwtVerify({ secret, algorithms:
// ['HS256'] }), with the contract of the CloudFront reference (bench/reference/jwt-hs256.viewer-request.js):
// one `Authorization: Bearer <token>` of at most 8 KB, the HMAC-SHA256 signature compared in
// constant time before anything is decoded, a header naming HS256 without `crit`, `exp` required
// and in the future, `nbf` and `iat` numbers where present; a valid token goes on without its
// Authorization header, anything else is a 401 with `WWW-Authenticate: Bearer`.
'use strict';
const crypto = require('crypto');
const SECRET = 'a-shared-secret-of-at-least-32-bytes!';

const unauthorized = () => ({ status: '401', headers: { 'www-authenticate': [{ key: 'WWW-Authenticate', value: 'Bearer' }] } });

exports.handler = async (event) => {
  const request = event.Records[0].cf.request;
  const auth = request.headers.authorization;
  if (!auth || auth.length !== 1) return unauthorized();
  const value = auth[0].value;
  if (value.length > 8199 || value.charCodeAt(6) !== 32 || value.slice(0, 6).toLowerCase() !== 'bearer') return unauthorized();
  const token = value.slice(7).trim();
  const d1 = token.indexOf('.');
  const d2 = token.lastIndexOf('.');
  if (d1 < 1 || d1 > 2048 || d2 < d1 + 2 || token.length - d2 !== 44) return unauthorized();
  // The signature's text, not its bytes: base64url's last character has unused bits.
  const expected = Buffer.from(crypto.createHmac('sha256', SECRET).update(token.slice(0, d2)).digest('base64url'));
  const given = Buffer.from(token.slice(d2 + 1));
  if (given.length !== 43 || !crypto.timingSafeEqual(expected, given)) return unauthorized();
  try {
    const header = JSON.parse(Buffer.from(token.slice(0, d1), 'base64url').toString());
    if (header.alg !== 'HS256' || header.crit !== undefined) return unauthorized();
    const claims = JSON.parse(Buffer.from(token.slice(d1 + 1, d2), 'base64url').toString());
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.exp !== 'number' || claims.exp <= now) return unauthorized();
    if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > now)) return unauthorized();
    if (claims.iat !== undefined && typeof claims.iat !== 'number') return unauthorized();
  } catch (e) {
    return unauthorized();
  }
  delete request.headers.authorization;
  return request;
};
