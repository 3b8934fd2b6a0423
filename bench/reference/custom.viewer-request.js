// Hand-written CloudFront Function (cloudfront-js-1.0), viewer-request, doing the work of the
// `custom` case (bench/cases.mjs): the `bucket` request hook, plus the `stamp` response hook on
// the answers given here (CloudFront runs no viewer-response function for them).
var crypto = require('crypto');

function stamp(response) {
    response.headers['x-served-by'] = { value: 'edgeline' };
    if (response.statusCode >= 400) response.headers['cache-control'] = { value: 'no-store' };
    response.cookies = { seen: { value: '1', attributes: 'Path=/' } };
    return response;
}

function handler(event) {
    var request = event.request;
    var uri = request.uri;
    if (uri.indexOf('/admin') === 0) {
        return stamp({
            statusCode: 403,
            headers: { 'content-type': { value: 'text/plain' } },
            body: { encoding: 'text', data: 'forbidden' }
        });
    }
    var query = request.querystring;
    if (uri === '/old') {
        // Keep every value of every parameter, as they came (still URL-encoded).
        var qs = '';
        for (var name in query) {
            var param = query[name];
            var values = param.multiValue && param.multiValue.length ? param.multiValue : [param];
            for (var i = 0; i < values.length; i++) {
                qs += (qs ? '&' : '') + name + (values[i].value !== '' ? '=' + values[i].value : '');
            }
        }
        return stamp({ statusCode: 301, headers: { location: { value: '/new?' + qs } } });
    }
    var uid = request.cookies.uid;
    var digest = crypto.createHash('md5').update((uid && uid.value) || event.viewer.ip).digest('hex');
    request.headers['x-bucket'] = { value: String(parseInt(digest.slice(0, 8), 16) % 4) };
    request.headers['x-id-md5'] = { value: digest };
    if (query.lang) {
        var lang = query.lang.value;
        try {
            // decodeURIComponent throws on a malformed escape (the value is kept as it came);
            // querystring.unescape then decodes it with '+' as a space in one native pass. A
            // global replace of '+' costs quadratic time in njs on an 8 KB value.
            decodeURIComponent(lang);
            lang = require('querystring').unescape(lang);
        } catch (e) {
            // Malformed escapes: keep the value as it came.
        }
        request.uri = '/' + lang + uri;
    }
    return request;
}
