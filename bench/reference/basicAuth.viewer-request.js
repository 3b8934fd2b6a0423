// Hand-written CloudFront Function (cloudfront-js-1.0), viewer-request: basicAuth({ users:
// { preview: '...' }, realm: 'Staging' }) (issue 17). A staging password: exactly one
// `Authorization: Basic` value of at most 2,054 characters whose credentials hash to the stored
// sha256 of `name:password` (compared in constant time) goes on without its Authorization
// header; anything else is a 401 with the Basic challenge.
// Base64 is decoded with String.bytesFrom, the runtime 1.0 way (no Buffer, no atob), after a
// regex that leaves it only well-formed input. The bytes are hashed as they are: text that is not
// UTF-8 can never hash to the digest of a password, which is.
var crypto = require('crypto');
var BASE64 = /^[A-Za-z0-9+\/]+={0,2}$/;
// sha256('preview:correct horse battery staple'): the password itself is not in the code.
var HASH = '6d73d865e4286cc70d7caf486d33fb130baf5668993e24d67ae60b926169ae6e';
var DENY = {
    statusCode: 401,
    statusDescription: 'Unauthorized',
    headers: { 'www-authenticate': { value: 'Basic realm="Staging"' } }
};

function handler(event) {
    var request = event.request;
    var auth = request.headers.authorization;
    // One value only, and a bounded one: the cost of a refusal does not grow with the header.
    if (!auth || (auth.multiValue && auth.multiValue.length > 1)) return DENY;
    var value = auth.value;
    if (value.length > 2054 || value.length < 7 || value.charCodeAt(5) !== 32 || value.substring(0, 5).toLowerCase() !== 'basic') return DENY;
    var b64 = value.substring(6).trim();
    var n = b64.length;
    if (!BASE64.test(b64) || n % 4 === 1 || (b64.charCodeAt(n - 1) === 61 && n % 4)) return DENY;
    var credentials = String.bytesFrom(b64, 'base64');
    if (credentials.indexOf(':') <= 0) return DENY;
    var digest = crypto.createHash('sha256').update(credentials).digest('hex');
    // Constant time: all 64 hex digits compared, 8 (32 bits) a step.
    var diff = 0;
    for (var i = 0; i < 64; i += 8) diff |= parseInt(HASH.substring(i, i + 8), 16) ^ parseInt(digest.substring(i, i + 8), 16);
    if (diff !== 0) return DENY;
    // The origin never sees the password.
    delete request.headers.authorization;
    return request;
}
