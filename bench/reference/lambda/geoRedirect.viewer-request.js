// Hand-written Lambda@Edge handler (Node.js), viewer-request: geoRedirect({ countries:
// ['de', 'fr', 'es'], fallback: 'en' }) (issue 5), after the AWS Lambda@Edge example
// "Redirect viewer based on country": send the viewer to /<country>/<uri>, or /en/<uri>, keeping
// the query string; a uri already in a section goes on.
'use strict';
const COUNTRIES = new Set(['de', 'fr', 'es']);
const SECTIONS = new Set(['de', 'fr', 'es', 'en']);
const UNSAFE = /[^\w\-.~!$&'()*+,;=:@/?%]/;

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

exports.handler = async (event) => {
  const request = event.Records[0].cf.request;
  const uri = request.uri;
  // The common case: already under /de/, /fr/, /es/ or /en/.
  if (uri.charAt(3) === '/' && SECTIONS.has(uri.slice(1, 3))) return request;

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
    headers: { location: [{ key: 'Location', value: '/' + section + '/' + tail }] },
  };
};
