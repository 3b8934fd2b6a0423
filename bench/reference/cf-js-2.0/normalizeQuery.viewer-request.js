// Hand-written CloudFront Function (cloudfront-js-2.0), viewer-request: normalizeQuery({ deny:
// utm_source, utm_medium, utm_campaign, fbclid, gclid }) (issue 17), from the query string as
// sent (request.rawQueryString()). Empty pairs go, `=` among them (1.0 gets it as an empty name
// with an empty value).
const DENY = { utm_source: 1, utm_medium: 1, utm_campaign: 1, fbclid: 1, gclid: 1 };
function handler(event) {
    const request = event.request;
    const text = request.rawQueryString();
    if (!text || /[^\x00-\x7f]/.test(text)) return request;
    const parts = text.split('&');
    if (parts.length > 100) return request;
    const keys = [], pairs = [];
    for (let i = 0; i < parts.length; i++) {
        const part = parts[i];
        if (part === '' || part === '=') continue;
        const eq = part.indexOf('=');
        const name = eq < 0 ? part : part.substring(0, eq);
        if (DENY[name] === 1) continue;
        const value = eq < 0 ? '' : part.substring(eq + 1);
        keys.push(name + '\u0001' + (10000 + pairs.length));
        pairs.push(value === '' ? name : name + '=' + value);
    }
    keys.sort();
    for (let i = 0; i < keys.length; i++) keys[i] = pairs[+keys[i].substring(keys[i].length - 5) - 10000];
    request.querystring = keys.join('&');
    return request;
}
