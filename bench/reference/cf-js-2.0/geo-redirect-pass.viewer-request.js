// Hand-written CloudFront Function (cloudfront-js-2.0), viewer-request: examples/geo-redirect-pass,
// as the 1.0 reference (bench/reference/geo-redirect-pass.viewer-request.js) with the query string
// as the viewer sent it: runtime 2.0's request.rawQueryString().
var COUNTRIES = { de: true, at: true };
var SECTIONS = { de: true, at: true, en: true };

function handler(event) {
    var request = event.request;
    var uri = request.uri;
    // The common case: already under a section.
    if (uri.charAt(3) === '/' && SECTIONS[uri.substring(1, 3)] === true) return request;

    // Leading slashes and backslashes collapse to one, so the Location can never name another
    // host; '/de' goes to '/de/'.
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
        if (COUNTRIES[section] !== true) return request;
    }

    // A URL too long to encode within the compute budget goes on.
    var qs = request.rawQueryString() || '';
    if (uri.length + qs.length > 2048 || qs.length > 126 && qs.split('&').length > 64) return request;
    var tail = qs ? rest + '?' + qs : rest;
    // Only URL characters in the Location header: encodeURI, but `%` sequences stay as sent and
    // `#` is encoded; a lone surrogate becomes U+FFFD.
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
    return { statusCode: 302, headers: { location: { value: 'https://www.example.de/' + section + '/' + tail } } };
}
