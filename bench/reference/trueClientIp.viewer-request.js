// Hand-written CloudFront Function (cloudfront-js-1.0), viewer-request: trueClientIp() (issue 17).
// The AWS sample add-true-client-ip-header.
function handler(event) {
    var request = event.request;
    request.headers['true-client-ip'] = { value: event.viewer.ip };
    return request;
}
