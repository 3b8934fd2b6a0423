// Hand-written Lambda@Edge handler (Node.js), viewer-request: examples/jwt-cookie-login, the
// contract of the CloudFront reference (bench/reference/cf-js-2.0/jwt-cookie-login.viewer-request.js):
// the one `session` cookie (at most 8 KB) holds an HS256 token of the issuer
// https://login.example.com, else a 302 to /login?redirect_uri=<path and query string as sent>.
'use strict';
const crypto = require('crypto');
const SECRET = 'an-example-secret-of-at-least-32-bytes!';

function login(request) {
  const uri = request.uri;
  const query = request.querystring;
  let location = '/login';
  if (uri.length + query.length <= 2048 && (query.length < 64 || query.split('&').length <= 64)) {
    try {
      location = '/login?redirect_uri=' + encodeURIComponent(query ? uri + '?' + query : uri);
    } catch (e) {
      // A lone surrogate: /login alone.
    }
  }
  return { status: '302', headers: { location: [{ key: 'Location', value: location }] } };
}

/** The values of the `session` cookie over every Cookie header. */
function sessions(headers) {
  const out = [];
  for (const { value } of headers.cookie || []) {
    for (const part of value.split(';')) {
      const pair = part.trim();
      if (pair.startsWith('session=')) out.push(pair.slice(8));
    }
  }
  return out;
}

exports.handler = async (event) => {
  const request = event.Records[0].cf.request;
  const all = sessions(request.headers);
  if (all.length !== 1 || all[0].length > 8192) return login(request);
  const token = all[0];
  const d1 = token.indexOf('.');
  const d2 = token.lastIndexOf('.');
  if (d1 < 1 || d1 > 2048 || d2 < d1 + 2 || token.length - d2 !== 44) return login(request);
  // The signature's text, not its bytes: base64url's last character has unused bits.
  const expected = Buffer.from(crypto.createHmac('sha256', SECRET).update(token.slice(0, d2)).digest('base64url'));
  const given = Buffer.from(token.slice(d2 + 1));
  if (given.length !== 43 || !crypto.timingSafeEqual(expected, given)) return login(request);
  try {
    const header = JSON.parse(Buffer.from(token.slice(0, d1), 'base64url').toString());
    if (header.alg !== 'HS256' || header.crit !== undefined) return login(request);
    const claims = JSON.parse(Buffer.from(token.slice(d1 + 1, d2), 'base64url').toString());
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.exp !== 'number' || claims.exp <= now) return login(request);
    if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > now)) return login(request);
    if (claims.iat !== undefined && typeof claims.iat !== 'number') return login(request);
    if (claims.iss !== 'https://login.example.com') return login(request);
  } catch (e) {
    return login(request);
  }
  return request;
};
