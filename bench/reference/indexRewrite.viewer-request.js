// Hand-written CloudFront Function (cloudfront-js-1.0), viewer-request: indexRewrite() (issue 17).
// After the AWS sample url-rewrite-static-websites, deciding on the last path segment only.
function handler(event) {
    var request = event.request;
    var uri = request.uri;
    var slash = uri.lastIndexOf('/');
    if (uri.indexOf('.', slash + 1) < 0) request.uri = slash === uri.length - 1 ? uri + 'index.html' : uri + '/index.html';
    return request;
}
