// Hand-written CloudFront Function (cloudfront-js-1.0), viewer-response: examples/site's
// securityHeaders({ contentSecurityPolicy: "default-src 'self'" }). The AWS example "Add security
// headers to the response" (aws-samples/amazon-cloudfront-functions, add-security-headers) with
// that CSP; every value replaces the origin's.
function handler(event) {
    var response = event.response;
    var headers = response.headers;
    headers['strict-transport-security'] = { value: 'max-age=63072000; includeSubdomains; preload' };
    headers['content-security-policy'] = { value: "default-src 'self'" };
    headers['x-content-type-options'] = { value: 'nosniff' };
    headers['x-frame-options'] = { value: 'DENY' };
    headers['x-xss-protection'] = { value: '1; mode=block' };
    headers['referrer-policy'] = { value: 'strict-origin-when-cross-origin' };
    return response;
}
