// Hand-written CloudFront Function (cloudfront-js-1.0), viewer-request: the preflights of
// examples/cors (issue 17). An OPTIONS request with Origin and Access-Control-Request-Method is
// answered here: 204 with the CORS headers for the app, its preview deployments and localhost,
// 403 for any other origin (or one over 300 characters). Of several Origin headers the first decides.
var ALLOWED = /^(https:\/\/(app|[a-z0-9-]+\.preview)\.example\.com|http:\/\/localhost:3000)$/;

function handler(event) {
    var request = event.request;
    var headers = request.headers;
    var origin = headers.origin;
    if (request.method !== 'OPTIONS' || !origin || !headers['access-control-request-method']) return request;
    var value = origin.value;
    if (value.length > 300 || !ALLOWED.test(value)) {
        return { statusCode: 403, headers: {} };
    }
    return {
        statusCode: 204,
        headers: {
            'access-control-allow-origin': { value: value },
            'access-control-allow-methods': { value: 'GET, HEAD, PUT, POST, DELETE, PATCH' },
            'access-control-allow-headers': { value: 'content-type, x-request-id' },
            'access-control-max-age': { value: '600' },
            'access-control-allow-credentials': { value: 'true' },
            'vary': { value: 'Origin' }
        }
    };
}
