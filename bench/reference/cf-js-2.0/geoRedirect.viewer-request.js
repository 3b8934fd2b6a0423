// Hand-written CloudFront Function (cloudfront-js-2.0), viewer-request: geoRedirect({ countries:
// ['de', 'fr', 'es'], fallback: 'en' }). After the AWS example "redirect-based-on-country"
// (aws-samples/amazon-cloudfront-functions), extended to the contract of issue 5: send the viewer
// to /<country>/<uri>, or /en/<uri>, keeping the query string; a uri already in a section goes on.
// The query string as the viewer sent it: runtime 2.0's request.rawQueryString(). Work linear in
// the URL: no regular expression over it.
var COUNTRIES = { de: true, fr: true, es: true };
var SECTIONS = { de: true, fr: true, es: true, en: true };

function handler(event) {
    var request = event.request;
    var uri = request.uri;
    // The common case: already under /de/, /fr/, /es/ or /en/.
    if (uri.charAt(3) === '/' && SECTIONS[uri.substring(1, 3)] === true) return request;

    // Leading slashes and backslashes collapse to one, so the Location can never name another
    // host ('//evil.example'); '/de' goes to '/de/'.
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
        var header = request.headers['cloudfront-viewer-country'];
        section = header ? header.value.toLowerCase() : '';
        if (COUNTRIES[section] !== true) section = 'en';
    }

    var qs = request.rawQueryString();
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
    return { statusCode: 302, headers: { location: { value: '/' + section + '/' + tail } } };
}

