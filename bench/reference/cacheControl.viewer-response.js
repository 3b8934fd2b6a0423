// Hand-written CloudFront Function (cloudfront-js-1.0), viewer-response: the cache-control example
// (issue 17): a day for 200-399 where the origin sent no Cache-Control.
// After the AWS sample add-cache-control-header.
function handler(event) {
    var response = event.response;
    var headers = response.headers;
    if (!headers['cache-control']) {
        var status = response.statusCode;
        if (status >= 200 && status <= 399) headers['cache-control'] = { value: 'public, max-age=86400' };
    }
    return response;
}
