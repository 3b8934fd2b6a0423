// Hand-written Lambda@Edge handler (Node.js), viewer-request: geoRedirect({ countries:
// ['de', 'fr', 'es'], fallback: 'en' }) (issue 5), after the AWS Lambda@Edge example
// "Redirect viewer based on country": send the viewer to /<country>/<uri>, or /en/<uri>, keeping
// the query string; a uri already in a section goes on.
'use strict';
const COUNTRIES = new Set(['de', 'fr', 'es']);
const SECTIONS = new Set(['de', 'fr', 'es', 'en']);
const UNSAFE = /[^\w\-.~!$&'()*+,;=:@/?%]/;
const UNSAFE_ALL = /[\ud800-\udbff][\udc00-\udfff]|[^\w\-.~!$&'()*+,;=:@/?%]/g;

function encode(c) {
  try {
    return encodeURIComponent(c);
  } catch (e) {
    return '%EF%BF%BD';
  }
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
  let tail = qs ? rest + '?' + qs : rest;
  // Only URL characters in the Location header.
  if (UNSAFE.test(tail)) tail = tail.replace(UNSAFE_ALL, encode);
  return {
    status: '302',
    headers: { location: [{ key: 'Location', value: '/' + section + '/' + tail }] },
  };
};
