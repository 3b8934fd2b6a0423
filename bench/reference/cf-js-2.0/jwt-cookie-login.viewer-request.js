// Hand-written CloudFront Function (cloudfront-js-2.0), viewer-request: examples/jwt-cookie-login,
// jwtVerify({ algorithms: ['HS256'], secret, issuer: 'https://login.example.com', token: { cookie:
// 'session' }, unauthorized: { redirect: '/login' } }). The checks of the Bearer reference
// (bench/reference/cf-js-2.0/jwt-hs256.viewer-request.js) on the one `session` cookie (at most
// 8 KB), plus the issuer; the cookie stays. A browser without a valid token gets a 302 to
// /login?redirect_uri=<path and query string as sent, percent-encoded>, or to /login alone when
// that URL is over 2,048 characters or has more than 64 parameters.
const crypto = require('crypto');
const SECRET = 'an-example-secret-of-at-least-32-bytes!';

function login(request) {
    const uri = request.uri;
    const query = request.rawQueryString() || '';
    let location = '/login';
    if (uri.length + query.length <= 2048 && (query.length < 64 || query.split('&').length <= 64)) {
        try {
            location = '/login?redirect_uri=' + encodeURIComponent(query ? uri + '?' + query : uri);
        } catch (e) {
            // A lone surrogate: /login alone.
        }
    }
    return { statusCode: 302, headers: { location: { value: location } } };
}

function handler(event) {
    const request = event.request;
    const cookie = request.cookies.session;
    if (!cookie || cookie.multiValue && cookie.multiValue.length > 1) return login(request);
    const token = cookie.value;
    if (token.length > 8192) return login(request);
    const d1 = token.indexOf('.');
    const d2 = token.lastIndexOf('.');
    if (d1 < 1 || d1 > 2048 || d2 < d1 + 2 || token.length - d2 !== 44) return login(request);
    const expected = crypto.createHmac('sha256', SECRET).update(token.slice(0, d2)).digest('base64url');
    let diff = 0;
    for (let i = 0; i < 43; i++) diff |= expected.charCodeAt(i) ^ token.charCodeAt(d2 + 1 + i);
    if (diff !== 0) return login(request);
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
}
