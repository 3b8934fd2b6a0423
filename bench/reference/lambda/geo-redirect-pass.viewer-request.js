// Hand-written Lambda@Edge handler (Node.js), viewer-request: examples/geo-redirect-pass,
// geoRedirect({ countries: ['de', 'at'], fallback: 'en', others: 'pass', host: 'www.example.de',
// status: 302 }), as the CloudFront references (bench/reference/geo-redirect-pass.viewer-request.js):
// a viewer in Germany or Austria gets a 302 to https://www.example.de/<country>/<path>?<query as
// sent>; a uri already under a section, a viewer from elsewhere, and a URL over 2,048 characters
// or 64 parameters go on unchanged.
'use strict';
const COUNTRIES = new Set(['de', 'at']);
const SECTIONS = new Set(['de', 'at', 'en']);
const UNSAFE = /[^\w\-.~!$&'()*+,;=:@/?%]/;

// Only URL characters in the Location header: encodeURI leaves them as they are, but for `#` and
// `%` (`%` sequences stay as sent); a lone surrogate becomes U+FFFD.
function encode(s) {
  if (!UNSAFE.test(s)) return s;
  s = encodeURI(s.toWellFormed());
  if (s.indexOf('%25') >= 0) s = s.split('%25').join('%');
  if (s.indexOf('#') >= 0) s = s.split('#').join('%23');
  return s;
}

exports.handler = async (event) => {
  const request = event.Records[0].cf.request;
  const uri = request.uri;
  // The common case: already under a section.
  if (uri.charAt(3) === '/' && SECTIONS.has(uri.slice(1, 3))) return request;

  // Leading slashes and backslashes collapse to one, so the Location can never name another
  // host; '/de' goes to '/de/'.
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
    if (!COUNTRIES.has(section)) return request;
  }
  const qs = request.querystring;
  if (uri.length + qs.length > 2048 || (qs.length > 126 && qs.split('&').length > 64)) return request;
  return {
    status: '302',
    headers: { location: [{ key: 'Location', value: 'https://www.example.de/' + section + '/' + encode(qs ? rest + '?' + qs : rest) }] },
  };
};
