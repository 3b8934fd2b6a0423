// Hand-written CloudFront Function (cloudfront-js-2.0), viewer-request: jwtVerify({ secret,
// algorithms: ['HS256'] }). As the 1.0 reference (bench/reference/jwt-hs256.viewer-request.js),
// in the style of AWS's kvs-jwt-verify sample for runtime 2.0: const/let, and Buffer's base64url
// decoding (2.0 has no String.bytesFrom).
const crypto = require('crypto');
const SECRET = 'a-shared-secret-of-at-least-32-bytes!';

function unauthorized() {
    return { statusCode: 401, headers: { 'www-authenticate': { value: 'Bearer' } } };
}

function handler(event) {
    const request = event.request;
    const auth = request.headers.authorization;
    if (!auth || auth.multiValue && auth.multiValue.length > 1) return unauthorized();
    const value = auth.value;
    if (value.length > 8199 || value.charCodeAt(6) !== 32 || value.slice(0, 6).toLowerCase() !== 'bearer') return unauthorized();
    const token = value.slice(7).trim();
    const d1 = token.indexOf('.');
    const d2 = token.lastIndexOf('.');
    if (d1 < 1 || d1 > 2048 || d2 < d1 + 2 || token.length - d2 !== 44) return unauthorized();
    const expected = crypto.createHmac('sha256', SECRET).update(token.slice(0, d2)).digest('base64url');
    let diff = 0;
    for (let i = 0; i < 43; i++) diff |= expected.charCodeAt(i) ^ token.charCodeAt(d2 + 1 + i);
    if (diff !== 0) return unauthorized();
    try {
        const header = JSON.parse(Buffer.from(token.slice(0, d1), 'base64url').toString());
        if (header.alg !== 'HS256' || header.crit !== undefined) return unauthorized();
        const claims = JSON.parse(Buffer.from(token.slice(d1 + 1, d2), 'base64url').toString());
        const now = Math.floor(Date.now() / 1000);
        if (typeof claims.exp !== 'number' || claims.exp <= now) return unauthorized();
        if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > now)) return unauthorized();
        if (claims.iat !== undefined && typeof claims.iat !== 'number') return unauthorized();
    } catch (e) {
        // Not JSON, or null (reading a claim throws).
        return unauthorized();
    }
    delete request.headers.authorization;
    return request;
}
