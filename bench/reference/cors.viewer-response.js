// Hand-written CloudFront Function (cloudfront-js-1.0), viewer-response: the CORS headers of
// examples/cors (issue 17). Vary: Origin joins the origin's Vary; an allowed Origin (the first,
// at most 300 characters) gets Allow-Origin, Allow-Credentials and Expose-Headers; for any other
// request a grant the origin server sent is removed.
var ALLOWED = /^(https:\/\/(app|[a-z0-9-]+\.preview)\.example\.com|http:\/\/localhost:3000)$/;

function handler(event) {
    var response = event.response;
    var headers = response.headers;
    var vary = headers.vary;
    if (!vary) {
        headers.vary = { value: 'Origin' };
    } else {
        var values = [];
        var list = vary.multiValue && vary.multiValue.length ? vary.multiValue : [vary];
        for (var i = 0; i < list.length; i++) values.push(list[i].value);
        var tokens = (',' + values.join(',').toLowerCase() + ',').split(' ').join('').split('\t').join('');
        if (tokens.indexOf(',origin,') < 0 && tokens.indexOf(',*,') < 0) headers.vary = { value: values.join(', ') + ', Origin' };
    }
    var origin = event.request.headers.origin;
    var value = origin ? origin.value : '';
    if (value && value.length <= 300 && ALLOWED.test(value)) {
        headers['access-control-allow-origin'] = { value: value };
        headers['access-control-allow-credentials'] = { value: 'true' };
        headers['access-control-expose-headers'] = { value: 'x-request-id' };
    } else {
        delete headers['access-control-allow-origin'];
        delete headers['access-control-allow-credentials'];
    }
    return response;
}
