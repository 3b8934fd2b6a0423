// Hand-written CloudFront Function (cloudfront-js-1.0), viewer-response: examples/security-headers,
// securityHeaders({ contentSecurityPolicy, cors: '*' }). The AWS example "Add security headers to
// the response" (aws-samples/amazon-cloudfront-functions, add-security-headers) with that CSP,
// plus `access-control-allow-origin: *`; every value replaces the origin's (override: true).
function handler(event) {
    var response = event.response;
    var headers = response.headers;
    headers['strict-transport-security'] = { value: 'max-age=63072000; includeSubdomains; preload' };
    headers['content-security-policy'] = { value: "default-src 'self'; img-src 'self' data:; object-src 'none'" };
    headers['x-content-type-options'] = { value: 'nosniff' };
    headers['x-frame-options'] = { value: 'DENY' };
    headers['x-xss-protection'] = { value: '1; mode=block' };
    headers['referrer-policy'] = { value: 'strict-origin-when-cross-origin' };
    headers['access-control-allow-origin'] = { value: '*' };
    return response;
}
