// Hand-written CloudFront Function (cloudfront-js-1.0), viewer-request: cacheKeyFromBasicAuth()
// (issues 5, 12): the md5 of the Basic auth credentials (user:password) in `username-cache-key`,
// for the cache key.
// Base64 is decoded with String.bytesFrom, the runtime 1.0 way (no Buffer, no atob).
var crypto = require('crypto');
var BASE64 = /^[A-Za-z0-9+\/]+={0,2}$/;

function handler(event) {
    var request = event.request;
    var headers = request.headers;
    // A client must never choose its own cache key.
    delete headers['username-cache-key'];
    var auth = headers.authorization;
    if (auth && auth.value.length > 6 && auth.value.substring(0, 6).toLowerCase() === 'basic ') {
        var encoded = auth.value.substring(6).trim();
        if (BASE64.test(encoded)) {
            var credentials = String.bytesFrom(encoded, 'base64');
            var colon = credentials.indexOf(':');
            if (colon > 0) {
                headers['username-cache-key'] = { value: crypto.createHash('md5').update(credentials).digest('hex') };
            }
        }
    }
    return request;
}
