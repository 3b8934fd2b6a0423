// Hand-written Lambda@Edge handler (Node.js), origin-response, doing the work of the `site`
// example's securityHeaders({ contentSecurityPolicy: "default-src 'self'" }) (examples/site/edge.ts),
// after the AWS Lambda@Edge example "Adding HTTP security headers".
'use strict';

exports.handler = async (event) => {
  const response = event.Records[0].cf.response;
  const headers = response.headers;
  headers['strict-transport-security'] = [{ key: 'Strict-Transport-Security', value: 'max-age=63072000; includeSubdomains; preload' }];
  headers['content-security-policy'] = [{ key: 'Content-Security-Policy', value: "default-src 'self'" }];
  headers['x-content-type-options'] = [{ key: 'X-Content-Type-Options', value: 'nosniff' }];
  headers['x-frame-options'] = [{ key: 'X-Frame-Options', value: 'DENY' }];
  headers['x-xss-protection'] = [{ key: 'X-XSS-Protection', value: '1; mode=block' }];
  headers['referrer-policy'] = [{ key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' }];
  return response;
};
