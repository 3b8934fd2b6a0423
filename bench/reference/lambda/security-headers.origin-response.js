// Hand-written Lambda@Edge handler (Node.js), origin-response, doing the work of the
// `security-headers` example (examples/security-headers/edge.ts): securityHeaders() with its own
// Content-Security-Policy and cors: '*', after the AWS Lambda@Edge example "Adding HTTP security
// headers". At origin-response the headers are cached with the object and reach error responses
// too; each one replaces a value the origin sent (override is on by default).
'use strict';

exports.handler = async (event) => {
  const response = event.Records[0].cf.response;
  const headers = response.headers;
  headers['strict-transport-security'] = [{ key: 'Strict-Transport-Security', value: 'max-age=63072000; includeSubdomains; preload' }];
  headers['content-security-policy'] = [{ key: 'Content-Security-Policy', value: "default-src 'self'; img-src 'self' data:; object-src 'none'" }];
  headers['x-content-type-options'] = [{ key: 'X-Content-Type-Options', value: 'nosniff' }];
  headers['x-frame-options'] = [{ key: 'X-Frame-Options', value: 'DENY' }];
  headers['x-xss-protection'] = [{ key: 'X-XSS-Protection', value: '1; mode=block' }];
  headers['referrer-policy'] = [{ key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' }];
  headers['access-control-allow-origin'] = [{ key: 'Access-Control-Allow-Origin', value: '*' }];
  return response;
};
