// Hand-written CloudFront Function (cloudfront-js-1.0), viewer-response, doing the work of the
// `custom` case's `stamp` response hook (bench/cases.mjs).
function handler(event) {
    var response = event.response;
    var headers = response.headers;
    headers['x-served-by'] = { value: 'edgeline' };
    if (response.statusCode >= 400) headers['cache-control'] = { value: 'no-store' };
    // Append a Set-Cookie, keeping any the origin set under the same name.
    var cookies = response.cookies || (response.cookies = {});
    var seen = { value: '1', attributes: 'Path=/' };
    var old = cookies.seen;
    if (!old) {
        cookies.seen = seen;
    } else {
        if (!old.multiValue || !old.multiValue.length) old.multiValue = [{ value: old.value, attributes: old.attributes }];
        old.multiValue.push(seen);
    }
    return response;
}
