// Hand-written CloudFront Function (cloudfront-js-1.0), viewer-response, doing the work of
// examples/custom-middleware's servedBy: `x-served-by: edgeline` on every response, replacing
// any value the origin sent.
function handler(event) {
    var response = event.response;
    response.headers['x-served-by'] = { value: 'edgeline' };
    return response;
}
