// Hand-written Lambda@Edge handler (Node.js), viewer-request: the preflights of examples/cors
// (issue 17): 204 with the CORS headers for an allowed origin, 403 for any other.
'use strict';

const ALLOWED = /^(https:\/\/(app|[a-z0-9-]+\.preview)\.example\.com|http:\/\/localhost:3000)$/;
const h = (key, value) => [{ key, value }];

exports.handler = async (event) => {
  const request = event.Records[0].cf.request;
  const headers = request.headers;
  const origin = headers.origin;
  if (request.method !== 'OPTIONS' || !origin || !origin.length || !headers['access-control-request-method'] || !headers['access-control-request-method'].length) return request;
  const value = origin[0].value;
  if (value.length > 300 || !ALLOWED.test(value)) return { status: '403', headers: {} };
  return {
    status: '204',
    headers: {
      'access-control-allow-origin': h('access-control-allow-origin', value),
      'access-control-allow-methods': h('access-control-allow-methods', 'GET, HEAD, PUT, POST, DELETE, PATCH'),
      'access-control-allow-headers': h('access-control-allow-headers', 'content-type, x-request-id'),
      'access-control-max-age': h('access-control-max-age', '600'),
      'access-control-allow-credentials': h('access-control-allow-credentials', 'true'),
      vary: h('vary', 'Origin'),
    },
  };
};
