// Hand-written CloudFront Function (cloudfront-js-1.0), viewer-response: the ab-test example
// (issue 17): Set-Cookie when the viewer's cookie is not the variant the request was given. The
// cookie is added to what the origin set: a Set-Cookie of the same name from the origin stays
// (multiValue), as the middleware appends.
function handler(event) {
    var request = event.request;
    var response = event.response;
    var header = request.headers['x-ab-home'];
    var variant = header && header.value;
    if (variant !== 'a' && variant !== 'b') return response;
    var cookie = request.cookies['ab-home'];
    if (cookie && cookie.value === variant) return response;
    var cookies = response.cookies, set = { value: variant, attributes: 'Path=/; Max-Age=2592000; SameSite=Lax' }, own = cookies['ab-home'];
    if (!own) cookies['ab-home'] = set;
    else {
        if (!own.multiValue || !own.multiValue.length) own.multiValue = [{ value: own.value, attributes: own.attributes }];
        own.multiValue.push(set);
    }
    return response;
}
