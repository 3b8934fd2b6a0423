// Hand-written CloudFront Function (cloudfront-js-1.0), viewer-request: basicAuth({ users:
// { preview: '...' }, realm: 'Staging' }) (issue 17). A staging password: exactly one
// `Authorization: Basic` value of at most 2,054 characters whose credentials hash to the stored
// sha256 of `name:password` (compared in constant time) goes on without its Authorization
// header; anything else is a 401 with the Basic challenge.
// Base64 is decoded with String.bytesFrom, the runtime 1.0 way (no Buffer, no atob), after a
// regex and the length leave it only well-formed input. The bytes are hashed as they are: njs
// hashes a byte string that is not UTF-8 as if each bad byte were U+FFFD, which this password
// does not hold, so only its own bytes match. No test for a colon or for a shortest value: the
// digest decides (a value under 7 characters fails the space or the regex).
var crypto = require('crypto');

function handler(event) {
    var request = event.request;
    var auth = request.headers.authorization, value = auth && auth.value;
    // One value only (a second could reach the origin unchecked), and a bounded one: the cost of
    // a refusal does not grow with the header.
    if (value && !(auth.multiValue && auth.multiValue.length > 1) && value.length <= 2054 && value.charCodeAt(5) === 32 && value.substring(0, 5).toLowerCase() === 'basic') {
        var b64 = value.substring(6).trim(), n = b64.length;
        // '=' only at the end, and then to a multiple of 4; never 4n+1 characters.
        if (/^[A-Za-z0-9+\/]+={0,2}$/.test(b64) && n % 4 !== 1 && (n % 4 === 0 || b64.charCodeAt(n - 1) !== 61)) {
            var digest = crypto.createHash('sha256').update(String.bytesFrom(b64, 'base64')).digest('hex');
            // Constant time: all 64 hex digits of sha256('preview:correct horse battery staple')
            // compared, 8 (32 bits) a step. The password itself is not in the code.
            for (var i = 0, diff = 0; i < 64; i += 8) diff |= parseInt('6d73d865e4286cc70d7caf486d33fb130baf5668993e24d67ae60b926169ae6e'.substring(i, i + 8), 16) ^ parseInt(digest.substring(i, i + 8), 16);
            if (!diff) {
                // The origin never sees the password.
                delete request.headers.authorization;
                return request;
            }
        }
    }
    return { statusCode: 401, statusDescription: 'Unauthorized', headers: { 'www-authenticate': { value: 'Basic realm="Staging"' } } };
}
