// Hand-written CloudFront Function (cloudfront-js-2.0), viewer-request: the bench's pathFlag
// middleware (bench/cases.mjs): the KeyValueStore value of `flag:<uri>`; `off` answers 404,
// another value goes to the origin as the x-flag header, no key goes on unchanged. After AWS's
// KeyValueStore samples (aws-samples/amazon-cloudfront-functions, kvs-*): get() rejects a
// missing key.
import cf from 'cloudfront';

const kvs = cf.kvs();

async function handler(event) {
    const request = event.request;
    let flag;
    try {
        flag = await kvs.get('flag:' + request.uri);
    } catch (e) {
        return request;
    }
    if (flag === 'off') return { statusCode: 404, headers: {} };
    if (flag) request.headers['x-flag'] = { value: flag };
    return request;
}
