// Hand-written CloudFront Function (cloudfront-js-1.0), viewer-response: the ab-test example
// (issue 17): Set-Cookie when the viewer's cookie is not the variant the request was given.
function handler(event) {
    var request = event.request;
    var response = event.response;
    var header = request.headers['x-ab-home'];
    var variant = header && header.value;
    if (variant !== 'a' && variant !== 'b') return response;
    var cookie = request.cookies['ab-home'];
    if (!cookie || cookie.value !== variant) response.cookies['ab-home'] = { value: variant, attributes: 'Path=/; Max-Age=2592000; SameSite=Lax' };
    return response;
}
