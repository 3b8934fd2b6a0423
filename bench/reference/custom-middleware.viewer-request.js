// Hand-written CloudFront Function (cloudfront-js-1.0), viewer-request, doing the work of
// examples/custom-middleware: abBucket (403 for /internal/..., else `x-ab-bucket` from the md5 of
// the uid cookie or the viewer's IP), plus servedBy's `x-served-by` on the 403 answered here
// (CloudFront runs no viewer-response function for it).
var crypto = require('crypto');

function handler(event) {
    var request = event.request;
    if (request.uri.indexOf('/internal/') === 0) {
        return {
            statusCode: 403,
            headers: { 'content-type': { value: 'text/plain' }, 'x-served-by': { value: 'edgeline' } },
            body: { encoding: 'text', data: 'forbidden' }
        };
    }
    var uid = request.cookies.uid;
    var digest = crypto.createHash('md5').update((uid && uid.value) || event.viewer.ip).digest('hex');
    request.headers['x-ab-bucket'] = { value: String(parseInt(digest.slice(0, 8), 16) % 2) };
    return request;
}
