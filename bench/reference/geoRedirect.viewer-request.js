// Hand-written CloudFront Function (cloudfront-js-1.0), viewer-request: geoRedirect({ countries:
// ['de', 'fr', 'es'], fallback: 'en' }). After the AWS example "redirect-based-on-country"
// (aws-samples/amazon-cloudfront-functions), extended to the contract of issue 5: send the viewer
// to /<country>/<uri>, or /en/<uri>, keeping the query string; a uri already in a section goes on.
var COUNTRIES = { de: true, fr: true, es: true };
var SECTIONS = { de: true, fr: true, es: true, en: true };
var UNSAFE = /[^\w\-.~!$&'()*+,;=:@\/?%]/;

function handler(event) {
    var request = event.request;
    var uri = request.uri;
    // The common case: already under /de/, /fr/, /es/ or /en/.
    if (uri.charAt(3) === '/' && SECTIONS[uri.substring(1, 3)] === true) return request;

    // Leading slashes and backslashes collapse to one, so the Location can never name another
    // host ('//evil.example'); '/de' goes to '/de/'.
    var rest = uri.replace(/^[\/\\]+/, '');
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

    var qs = '';
    var query = request.querystring;
    for (var name in query) {
        var param = query[name];
        var values = param.multiValue && param.multiValue.length ? param.multiValue : [param];
        for (var i = 0; i < values.length; i++) {
            qs += (qs ? '&' : '') + name + (values[i].value !== '' ? '=' + values[i].value : '');
        }
    }
    var tail = qs ? rest + '?' + qs : rest;
    // Only URL characters in the Location header (CloudFront answers 502 to an invalid one).
    if (UNSAFE.test(tail)) {
        tail = tail.replace(/[\ud800-\udbff][\udc00-\udfff]|[^\w\-.~!$&'()*+,;=:@\/?%]/g, function (c) {
            try {
                return encodeURIComponent(c);
            } catch (e) {
                return '%EF%BF%BD';
            }
        });
    }
    return { statusCode: 302, headers: { location: { value: '/' + section + '/' + tail } } };
}
