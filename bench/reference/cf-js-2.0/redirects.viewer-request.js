// Hand-written CloudFront Function (cloudfront-js-2.0), viewer-request: the redirect table of
// examples/redirects, as bench/reference/redirects.viewer-request.js, with the query string as
// the viewer sent it (`request.rawQueryString()`).
const EXACT = {
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
    const request = event.request;
    const uri = request.uri;
    let target = EXACT[uri], rest = '', sep = '?', status = 301;
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
    const c = rest.charCodeAt(0);
    if (c === 47 || c === 92) {
        const s = rest.search(/[^\/\\]/);
        rest = s < 0 ? '' : rest.substring(s);
    }
    const query = request.rawQueryString() || '';
    if (uri.length + query.length > 2048 || (query.length > 126 && query.split('&').length > 64)) return request;
    if (query) rest = rest + sep + query;
    if (rest) {
        try {
            rest = encodeURI(rest);
        } catch (e) {
            // A lone surrogate: U+FFFD (a pair is kept).
            const fixed = [];
            for (let k = 0; k < rest.length; k++) {
                const c = rest.charCodeAt(k);
                fixed.push(c >> 10 === 54 && rest.charCodeAt(k + 1) >> 10 === 55 ? rest.substr(k++, 2) : c >> 11 === 27 ? '\ufffd' : rest.charAt(k));
            }
            rest = encodeURI(fixed.join(''));
        }
        if (rest.includes('%25')) rest = rest.split('%25').join('%');
        if (rest.includes('#')) rest = rest.split('#').join('%23');
    }
    return { statusCode: status, headers: { location: { value: target + rest } } };
}
