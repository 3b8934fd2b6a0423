// Hand-written CloudFront Function (cloudfront-js-1.0), viewer-request: cacheKeyFromBasicAuth()
// (issues 5, 12): the md5 of the Basic auth credentials (user:password) in `username-cache-key`,
// for the cache key.
// Base64 is decoded with String.bytesFrom, the runtime 1.0 way (no Buffer, no atob). As the
// middleware: base64 padded only to a multiple of 4 and never 4n+1 characters, and credentials
// that are not UTF-8 get no key.
var crypto = require('crypto');

function handler(event) {
    var request = event.request;
    var headers = request.headers;
    var auth = headers.authorization;
    // A client must never choose its own cache key.
    delete headers['username-cache-key'];
    if (auth && auth.value.slice(0, 6).toLowerCase() === 'basic ') {
        var b64 = auth.value.slice(6).trim(), n = b64.length;
        if (/^[A-Za-z0-9+\/]+={0,2}$/.test(b64) && n % 4 !== 1 && !(b64[n - 1] === '=' && n % 4)) {
            var credentials = String.bytesFrom(b64, 'base64');
            // A user name before the colon; fromUTF8() gives nothing for bytes that are not UTF-8.
            if (credentials.indexOf(':') > 0 && (credentials = credentials.fromUTF8())) {
                headers['username-cache-key'] = { value: crypto.createHash('md5').update(credentials).digest('hex') };
            }
        }
    }
    return request;
}
