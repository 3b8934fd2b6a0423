// Hand-written CloudFront Function (cloudfront-js-2.0), viewer-request: cacheKeyFromBasicAuth()
// (issues 5, 12): the md5 of the Basic auth credentials (user:password) in `username-cache-key`,
// for the cache key, as ../cacheKeyFromBasicAuth.viewer-request.js with runtime 2.0's Buffer
// decoding base64 (String.bytesFrom is gone). As the middleware: base64 padded only to a multiple
// of 4 and never 4n+1 characters, and credentials that are not UTF-8 get no key.
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
            var bytes = Buffer.from(b64, 'base64'), key = bytes.toString();
            // A user name before the colon; UTF-8 text decodes and encodes back to the same bytes.
            if (bytes.indexOf(58) > 0 && Buffer.from(key).equals(bytes)) {
                headers['username-cache-key'] = { value: crypto.createHash('md5').update(bytes).digest('hex') };
            }
        }
    }
    return request;
}
