// Hand-written CloudFront Function (cloudfront-js-1.0), viewer-request: normalizeQuery({ deny:
// utm_source, utm_medium, utm_campaign, fbclid, gclid }) (issue 17). After the AWS sample
// normalize-query-string-parameters, with its behaviour: names sorted (a name's values keep
// their order), `c=` written `c`, empty pairs (`=`) and the tracking names dropped, handed back
// as text; non-ASCII anywhere (a dropped pair too) or more than 100 parameters go on as sent.
var DENY = { utm_source: 1, utm_medium: 1, utm_campaign: 1, fbclid: 1, gclid: 1 };
function handler(event) {
    var request = event.request, q = request.querystring, keys = [], pairs = [], skip = [], n = 0, k, e, l, i, p;
    for (k in q) {
        e = q[k];
        l = e.multiValue && e.multiValue.length ? e.multiValue : [e];
        n += l.length;
        for (i = 0; i < l.length; i++) {
            p = l[i].value === '' ? k : k + '=' + l[i].value;
            if (p && DENY[k] !== 1) keys.push(k + '\u0001' + (10000 + pairs.length)), pairs.push(p);
            else skip.push(p);
        }
    }
    if (n === 0 || n > 100 || /[^\x00-\x7f]/.test(pairs.join('') + skip.join(''))) return request;
    keys.sort();
    for (i = 0; i < keys.length; i++) keys[i] = pairs[+keys[i].substring(keys[i].length - 5) - 10000];
    request.querystring = keys.join('&');
    return request;
}
