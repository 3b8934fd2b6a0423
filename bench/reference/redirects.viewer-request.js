// Hand-written CloudFront Function (cloudfront-js-1.0), viewer-request: the redirect table of
// examples/redirects (a site move: 18 plain renames, /blog/feed without the query string,
// /summer-sale with 302 onto a target with a query, /blog/* -> /articles/*, /shop/* to another
// host with 302); other paths go on. The query string is kept, rebuilt from the event's object
// (1.0 has no raw query string); a URL over 2,048 characters or 64 parameters goes on unchanged
// (encoding it would cost more than the compute budget). The rest of a path loses its leading
// slashes and backslashes, so a Location never names another host (`/blog//evil.example`), and
// only URL characters reach the header.
var EXACT = {
    '/about-us': '/about',
    '/about-us/team': '/about/people',
    '/contact-us': '/contact',
    '/careers.html': '/jobs',
    '/jobs/apply.php': '/jobs',
    '/pricing.html': '/pricing',
    '/plans': '/pricing',
    '/features.html': '/product',
    '/product/tour': '/product',
    '/support': 'https://help.example.com/',
    '/faq': 'https://help.example.com/faq',
    '/docs/v1': '/docs',
    '/docs/getting-started.html': '/docs/start',
    '/press': '/newsroom',
    '/legal/privacy.html': '/privacy',
    '/legal/terms.html': '/terms',
    '/index.php': '/',
    '/home': '/'
};

function handler(event) {
    var request = event.request;
    var uri = request.uri;
    var target = EXACT[uri], rest = '', sep = '?', status = 301;
    if (target) {
        // (CloudFront's uri starts with '/': no Object.prototype name is looked up.)
    } else if (uri === '/blog/feed') {
        return { statusCode: 301, headers: { location: { value: '/articles/feed.xml' } } };
    } else if (uri === '/summer-sale') {
        target = '/pricing?promo=summer'; sep = '&'; status = 302;
    } else if (uri.indexOf('/blog/') === 0) {
        target = '/articles/'; rest = uri.substring(6);
    } else if (uri.indexOf('/shop/') === 0) {
        target = 'https://shop.example.com/'; rest = uri.substring(6); status = 302;
    } else {
        return request;
    }
    var c = rest.charCodeAt(0);
    if (c === 47 || c === 92) {
        var s = rest.search(/[^\/\\]/);
        rest = s < 0 ? '' : rest.substring(s);
    }
    var parts = [], n = 0, size = uri.length, query = request.querystring, name, values, i;
    for (name in query) {
        values = query[name].multiValue && query[name].multiValue.length ? query[name].multiValue : [query[name]];
        for (i = 0; i < values.length; i++) {
            parts[n++] = values[i].value !== '' ? name + '=' + values[i].value : name;
            size += parts[n - 1].length + 1;
            if (n > 64 || size > 2049) return request;
        }
    }
    if (n) rest = rest + sep + parts.join('&');
    if (rest) {
        try {
            rest = encodeURI(rest);
        } catch (e) {
            // A lone surrogate: U+FFFD (a pair is kept).
            var fixed = [];
            for (var k = 0; k < rest.length; k++) {
                var c = rest.charCodeAt(k);
                fixed.push(c >> 10 === 54 && rest.charCodeAt(k + 1) >> 10 === 55 ? rest.substr(k++, 2) : c >> 11 === 27 ? '\ufffd' : rest.charAt(k));
            }
            rest = encodeURI(fixed.join(''));
        }
        if (rest.includes('%25')) rest = rest.split('%25').join('%');
        if (rest.includes('#')) rest = rest.split('#').join('%23');
    }
    return { statusCode: status, headers: { location: { value: target + rest } } };
}
