// Hand-written CloudFront Function (cloudfront-js-1.0), viewer-request: examples/geo-redirect-pass,
// geoRedirect({ countries: ['de', 'at'], fallback: 'en', others: 'pass', host: 'www.example.de',
// status: 302 }). AWS's redirect-based-on-country sample with the geoRedirect contract (as the
// geoRedirect reference): a viewer in Germany or Austria gets a 302 to
// https://www.example.de/<country>/<path>?<query>; a uri already under /de/, /at/ or /en/, a
// viewer from elsewhere, and a URL over 2,048 characters or 64 parameters go on unchanged.
// Runtime 1.0 has no raw query string: it is rebuilt from the event's object, in its order.
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

    // Every value of every parameter (still URL-encoded), `name` alone for an empty value; a URL
    // too long to encode within the compute budget goes on.
    if (uri.length > 2048) return request;
    var parts = [], size = uri.length;
    var query = request.querystring;
    for (var name in query) {
        var param = query[name];
        var values = param.multiValue && param.multiValue.length ? param.multiValue : [param];
        for (var i = 0; i < values.length; i++) {
            var part = values[i].value !== '' ? name + '=' + values[i].value : name;
            parts.push(part);
            size += part.length + 1;
            if (parts.length > 64 || size > 2049) return request;
        }
    }
    var qs = parts.join('&');
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
