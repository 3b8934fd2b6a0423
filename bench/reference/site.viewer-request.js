// Hand-written CloudFront Function (cloudfront-js-1.0), viewer-request, doing the work of
// examples/site: geoRedirect({ countries: ['de', 'fr'], fallback: 'en', status: 302 }) after the
// AWS example "redirect-based-on-country" (aws-samples/amazon-cloudfront-functions), its 302
// carrying securityHeaders' headers (CloudFront runs no viewer-response function for it); and,
// on a request that goes on, cacheKeyFromBasicAuth(): the md5 of the Basic auth credentials
// (user:password) in `username-cache-key`. Base64 is decoded with String.bytesFrom, the runtime 1.0 way.
var crypto = require('crypto');
var COUNTRIES = { de: true, fr: true };
var SECTIONS = { de: true, fr: true, en: true };
var BASE64 = /^[A-Za-z0-9+\/]+={0,2}$/;

function handler(event) {
    var request = event.request;
    var uri = request.uri;
    var headers = request.headers;

    // Not already under /de/, /fr/ or /en/: redirect to the viewer's section.
    if (uri.charAt(3) !== '/' || SECTIONS[uri.substring(1, 3)] !== true) {
        // Leading slashes and backslashes collapse to one, so the Location can never name
        // another host ('//evil.example'); '/de' goes to '/de/'.
        var start = uri.search(/[^\/\\]/);
        if (start < 0) start = uri.length;
        var rest = uri.substring(start);
        var end = rest.indexOf('/');
        var first = end < 0 ? rest : rest.substring(0, end);
        var section;
        if (SECTIONS[first] === true) {
            section = first;
            rest = end < 0 ? '' : rest.substring(end + 1);
        } else {
            var country = headers['cloudfront-viewer-country'];
            section = country ? country.value.toLowerCase() : '';
            if (COUNTRIES[section] !== true) section = 'en';
        }
        // Every value of every parameter (still URL-encoded), `name` alone for an empty value;
        // parts joined once (`+=` is quadratic in njs).
        var parts = [];
        var query = request.querystring;
        for (var name in query) {
            var param = query[name];
            var values = param.multiValue && param.multiValue.length ? param.multiValue : [param];
            for (var i = 0; i < values.length; i++) parts.push(values[i].value !== '' ? name + '=' + values[i].value : name);
        }
        var qs = parts.join('&');
        var tail = qs ? rest + '?' + qs : rest;
        // Only URL characters in the Location header (CloudFront answers 502 to an invalid one):
        // encodeURI leaves them as they are, but for `#` and `%`; `%` sequences stay as sent.
        try {
            tail = encodeURI(tail);
        } catch (e) {
            // A lone surrogate: U+FFFD (a pair is kept).
            var fixed = [];
            for (var k = 0; k < tail.length; k++) {
                var c = tail.charCodeAt(k);
                fixed.push(c >> 10 === 54 && tail.charCodeAt(k + 1) >> 10 === 55 ? tail.substr(k++, 2) : c >> 11 === 27 ? '\ufffd' : tail.charAt(k));
            }
            tail = encodeURI(fixed.join(''));
        }
        if (tail.includes('%25')) tail = tail.split('%25').join('%');
        if (tail.includes('#')) tail = tail.split('#').join('%23');
        return {
            statusCode: 302,
            headers: {
                location: { value: '/' + section + '/' + tail },
                'strict-transport-security': { value: 'max-age=63072000; includeSubdomains; preload' },
                'content-security-policy': { value: "default-src 'self'" },
                'x-content-type-options': { value: 'nosniff' },
                'x-frame-options': { value: 'DENY' },
                'x-xss-protection': { value: '1; mode=block' },
                'referrer-policy': { value: 'strict-origin-when-cross-origin' }
            }
        };
    }

    // A client must never choose its own cache key.
    delete headers['username-cache-key'];
    var auth = headers.authorization;
    if (auth && auth.value.length > 6 && auth.value.substring(0, 6).toLowerCase() === 'basic ') {
        var encoded = auth.value.substring(6).trim();
        var n = encoded.length;
        // Well-formed base64 only: 4n+1 characters encode no whole byte, and padding makes 4n.
        if (BASE64.test(encoded) && n % 4 !== 1 && (n % 4 === 0 || encoded.charAt(n - 1) !== '=')) {
            var credentials = String.bytesFrom(encoded, 'base64');
            var colon = credentials.indexOf(':');
            // Credentials that are not UTF-8 get no key (fromUTF8 gives null).
            var text = colon > 0 && credentials.fromUTF8();
            if (text) headers['username-cache-key'] = { value: crypto.createHash('md5').update(text).digest('hex') };
        }
    }
    return request;
}

