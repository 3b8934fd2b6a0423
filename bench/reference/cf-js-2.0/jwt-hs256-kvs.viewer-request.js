// Hand-written CloudFront Function (cloudfront-js-2.0), viewer-request: jwtVerify({ secret:
// { kvs: 'jwt-secret' }, algorithms: ['HS256'] }). AWS's kvs-jwt-verify sample (aws-samples/
// amazon-cloudfront-functions) with jwtVerify's contract, as the inline-secret reference
// (bench/reference/cf-js-2.0/jwt-hs256.viewer-request.js): the secret is read from the function's
// KeyValueStore once the token's shape is checked (a request without one costs no read); no
// secret (the key missing or empty) is a 401.
const crypto = require('crypto');
import cf from 'cloudfront';

const kvs = cf.kvs();

function unauthorized() {
    return { statusCode: 401, headers: { 'www-authenticate': { value: 'Bearer' } } };
}

async function handler(event) {
    const request = event.request;
    const auth = request.headers.authorization;
    if (!auth || auth.multiValue && auth.multiValue.length > 1) return unauthorized();
    const value = auth.value;
    if (value.length > 8199 || value.charCodeAt(6) !== 32 || value.slice(0, 6).toLowerCase() !== 'bearer') return unauthorized();
    const token = value.slice(7).trim();
    const d1 = token.indexOf('.');
    const d2 = token.lastIndexOf('.');
    if (d1 < 1 || d1 > 2048 || d2 < d1 + 2 || token.length - d2 !== 44) return unauthorized();
    let secret;
    try {
        secret = await kvs.get('jwt-secret');
    } catch (e) {
        return unauthorized();
    }
    if (!secret) return unauthorized();
    const expected = crypto.createHmac('sha256', secret).update(token.slice(0, d2)).digest('base64url');
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
        return unauthorized();
    }
    delete request.headers.authorization;
    return request;
}
