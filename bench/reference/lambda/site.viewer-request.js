// Hand-written Lambda@Edge handler (Node.js), viewer-request, doing the work of the `site`
// example (examples/site/edge.ts): geoRedirect({ countries: ['de', 'fr'], fallback: 'en',
// status: 302 }) after the AWS Lambda@Edge example "Redirect viewer based on country", and
// cacheKeyFromBasicAuth() on the requests that go on. The redirect carries the security headers:
// CloudFront runs no viewer-response or origin-response function for an answer generated here.
// (The cache key only matters to a request that goes on, so a redirect skips the md5.)
'use strict';
const crypto = require('crypto');
const { isUtf8 } = require('buffer');

const COUNTRIES = new Set(['de', 'fr']);
const SECTIONS = new Set(['de', 'fr', 'en']);
const UNSAFE = /[^\w\-.~!$&'()*+,;=:@/?%]/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const HEADER = 'username-cache-key';

// Only URL characters in the Location header: encodeURI leaves them as they are, but for `#` and
// `%` (`%` sequences stay as sent); a lone surrogate becomes U+FFFD. No regular expression with a
// callback over the viewer's input.
function encode(s) {
  if (!UNSAFE.test(s)) return s;
  s = encodeURI(s.toWellFormed());
  if (s.indexOf('%25') >= 0) s = s.split('%25').join('%');
  if (s.indexOf('#') >= 0) s = s.split('#').join('%23');
  return s;
}

function redirect(request, uri) {
  // Leading slashes and backslashes collapse to one, so the Location can never name another
  // host ('//evil.example'); '/de' goes to '/de/'.
  let rest = uri.replace(/^[/\\]+/, '');
  const end = rest.indexOf('/');
  const first = end < 0 ? rest : rest.slice(0, end);
  let section;
  if (SECTIONS.has(first)) {
    section = first;
    rest = end < 0 ? '' : rest.slice(end + 1);
  } else {
    const header = request.headers['cloudfront-viewer-country'];
    section = header ? header[0].value.toLowerCase() : '';
    if (!COUNTRIES.has(section)) section = 'en';
  }
  const qs = request.querystring;
  const tail = encode(qs ? rest + '?' + qs : rest);
  return {
    status: '302',
    headers: {
      location: [{ key: 'Location', value: '/' + section + '/' + tail }],
      'strict-transport-security': [{ key: 'Strict-Transport-Security', value: 'max-age=63072000; includeSubdomains; preload' }],
      'content-security-policy': [{ key: 'Content-Security-Policy', value: "default-src 'self'" }],
      'x-content-type-options': [{ key: 'X-Content-Type-Options', value: 'nosniff' }],
      'x-frame-options': [{ key: 'X-Frame-Options', value: 'DENY' }],
      'x-xss-protection': [{ key: 'X-XSS-Protection', value: '1; mode=block' }],
      'referrer-policy': [{ key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' }],
    },
  };
}

exports.handler = async (event) => {
  const request = event.Records[0].cf.request;
  const uri = request.uri;
  // The common case: already under /de/, /fr/ or /en/; anything else is redirected.
  if (!(uri.charCodeAt(3) === 47 && SECTIONS.has(uri.slice(1, 3)))) return redirect(request, uri);

  const headers = request.headers;
  // A client must never choose its own cache key.
  delete headers[HEADER];
  const auth = headers.authorization;
  const value = auth && auth.length ? auth[0].value : '';
  if (value.length > 6 && value.slice(0, 6).toLowerCase() === 'basic ') {
    const encoded = value.slice(6).trim();
    const n = encoded.length;
    // Base64 that decodes to whole bytes: never 4n+1 characters, and padded only to a multiple of 4.
    if (BASE64.test(encoded) && n % 4 !== 1 && (encoded.charCodeAt(n - 1) !== 61 || n % 4 === 0)) {
      const credentials = Buffer.from(encoded, 'base64');
      const colon = credentials.indexOf(0x3a);
      if (colon > 0) {
        // Credentials that are not UTF-8 get no key.
        if (isUtf8(credentials)) headers[HEADER] = [{ key: HEADER, value: crypto.createHash('md5').update(credentials).digest('hex') }];
      }
    }
  }
  return request;
};
