// Hand-written CloudFront Function (cloudfront-js-1.0), viewer-request: the ab-test example
// (issue 17), abTest({ name: 'home', variants: { a: 90, b: 10 } }). After aws-samples/ab-testing-at-edge:
// the variant goes to the viewer-response function in a request header.
function handler(event) {
    var request = event.request;
    var cookie = request.cookies['ab-home'];
    var variant = cookie && cookie.value;
    if (variant !== 'a' && variant !== 'b') variant = Math.random() < 0.9 ? 'a' : 'b';
    request.headers['x-ab-home'] = { value: variant };
    request.uri = '/' + variant + request.uri;
    return request;
}
