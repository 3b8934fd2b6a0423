// Hand-written CloudFront Function (cloudfront-js-1.0), viewer-request: jwtVerify({ secret,
// algorithms: ['HS256'] }). After AWS's kvs-jwt-verify sample (aws-samples/amazon-cloudfront-
// functions), with the secret in the code and jwtVerify's contract: one `Authorization: Bearer
// <token>` header of at most 8 KB, the HMAC-SHA256 signature compared in constant time before
// anything is decoded, a header naming HS256 without `crit`, `exp` required and in the future,
// `nbf` and `iat` numbers where present; a valid token goes on without its Authorization header,
// anything else is a 401 with `WWW-Authenticate: Bearer`. The segments are decoded with the
// engine's base64url (String.bytesFrom) and UTF-8 decoder: they were signed with the secret, so
// they need no character check first (a bad encoding fails JSON.parse).
var crypto = require('crypto');
var SECRET = 'a-shared-secret-of-at-least-32-bytes!';

function unauthorized() {
    return { statusCode: 401, headers: { 'www-authenticate': { value: 'Bearer' } } };
}

function handler(event) {
    var request = event.request;
    var auth = request.headers.authorization;
    if (!auth || auth.multiValue && auth.multiValue.length > 1) return unauthorized();
    var value = auth.value;
    if (value.length > 8199 || value.charCodeAt(6) !== 32 || value.slice(0, 6).toLowerCase() !== 'bearer') return unauthorized();
    var token = value.slice(7).trim();
    var d1 = token.indexOf('.');
    var d2 = token.lastIndexOf('.');
    if (d1 < 1 || d1 > 2048 || d2 < d1 + 2 || token.length - d2 !== 44) return unauthorized();
    var expected = crypto.createHmac('sha256', SECRET).update(token.slice(0, d2)).digest('base64url');
    var diff = 0;
    for (var i = 0; i < 43; i++) diff |= expected.charCodeAt(i) ^ token.charCodeAt(d2 + 1 + i);
    if (diff !== 0) return unauthorized();
    try {
        var header = JSON.parse(String.bytesFrom(token.slice(0, d1), 'base64url').fromUTF8());
        if (header.alg !== 'HS256' || header.crit !== undefined) return unauthorized();
        var claims = JSON.parse(String.bytesFrom(token.slice(d1 + 1, d2), 'base64url').fromUTF8());
        var now = Math.floor(Date.now() / 1000);
        if (typeof claims.exp !== 'number' || claims.exp <= now) return unauthorized();
        if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > now)) return unauthorized();
        if (claims.iat !== undefined && typeof claims.iat !== 'number') return unauthorized();
    } catch (e) {
        // Not JSON, or not an object (null, a number: reading a claim throws on null only).
        return unauthorized();
    }
    delete request.headers.authorization;
    return request;
}
