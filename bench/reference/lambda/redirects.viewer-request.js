// Hand-written Lambda@Edge handler (Node.js), viewer-request: the redirect table of
// examples/redirects (see bench/reference/redirects.viewer-request.js), the query string as sent.
'use strict';
const EXACT = new Map([
  ['/about-us', '/about'],
  ['/about-us/team', '/about/people'],
  ['/contact-us', '/contact'],
  ['/careers.html', '/jobs'],
  ['/jobs/apply.php', '/jobs'],
  ['/pricing.html', '/pricing'],
  ['/plans', '/pricing'],
  ['/features.html', '/product'],
  ['/product/tour', '/product'],
  ['/support', 'https://help.example.com/'],
  ['/faq', 'https://help.example.com/faq'],
  ['/docs/v1', '/docs'],
  ['/docs/getting-started.html', '/docs/start'],
  ['/press', '/newsroom'],
  ['/legal/privacy.html', '/privacy'],
  ['/legal/terms.html', '/terms'],
  ['/index.php', '/'],
  ['/home', '/']
]);
const UNSAFE = /[^\w\-.~!$&'()*+,;=:@/?%]/;

exports.handler = async (event) => {
  const request = event.Records[0].cf.request;
  const uri = request.uri;
  let target = EXACT.get(uri), rest = '', sep = '?', status = '301';
  if (target !== undefined) {
    // a plain rename
  } else if (uri === '/blog/feed') {
    return { status, headers: { location: [{ key: 'Location', value: '/articles/feed.xml' }] } };
  } else if (uri === '/summer-sale') {
    target = '/pricing?promo=summer'; sep = '&'; status = '302';
  } else if (uri.startsWith('/blog/')) {
    target = '/articles/'; rest = uri.slice(6);
  } else if (uri.startsWith('/shop/')) {
    target = 'https://shop.example.com/'; rest = uri.slice(6); status = '302';
  } else {
    return request;
  }
  if (rest) {
    const s = rest.search(/[^/\\]/);
    rest = s < 0 ? '' : rest.slice(s);
  }
  const query = request.querystring;
  if (uri.length + query.length > 2048 || (query.length > 126 && query.split('&').length > 64)) return request;
  if (query) rest += sep + query;
  if (UNSAFE.test(rest)) {
    rest = encodeURI(rest.toWellFormed());
    if (rest.indexOf('%25') >= 0) rest = rest.split('%25').join('%');
    if (rest.indexOf('#') >= 0) rest = rest.split('#').join('%23');
  }
  return { status, headers: { location: [{ key: 'Location', value: target + rest }] } };
};
