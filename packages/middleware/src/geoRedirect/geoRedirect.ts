import { ConfigError, defineMiddleware, type Answer, type Middleware, type RedirectStatus, type RequestContext } from '@edgeline/core';
import { countryOption, repr, knownOptions, oneOf, readHeaderOption } from '../lib/options.js';

export interface GeoRedirectOptions {
  /** ISO 3166-1 alpha-2 codes (any case) that have their own `/<code>/` section. */
  countries: readonly string[];
  /** The section for every other viewer (and when the country is unknown). Default `'en'`. */
  fallback?: string;
  /** Default 302. */
  status?: RedirectStatus;
  /** The request header that holds the viewer's country. Default `cloudfront-viewer-country`. */
  header?: string;
}

type GeoConfig = {
  header: string;
  /** Lower-case country code -> 1. */
  countries: Record<string, 1>;
  /** Every section prefix (countries and fallback) -> 1. */
  sections: Record<string, 1>;
  fallback: string;
  status: RedirectStatus;
};

const OPTIONS = ['countries', 'fallback', 'status', 'header'];

/**
 * Redirects a request to the section of the viewer's country: `/pricing` from Germany goes to
 * `/de/pricing` (query string kept), from elsewhere to `/<fallback>/pricing`. A request already
 * under a section (`/de/...`, `/en/...`) goes on unchanged. Viewer-request, every target.
 *
 * The Location's query string is the same on every target, in a form a CloudFront Functions
 * event can express: names sorted (by UTF-16 code units, as `Array.prototype.sort`), each name's
 * values in the order sent (`b=2&a=1&b=1` -> `a=1&b=2&b=1`), `a=` written `a`, empty pairs
 * dropped. Sorted because the order of the event's `querystring` object is not the order of the
 * URL (njs iterates an object of more than about 16 names in hash order; V8 puts names like `1`
 * first). Lambda@Edge, which sees the raw query string, writes it in that form too, and
 * cloudfront-js-2.0 does not use `rawQueryString()`, so that the three artifacts and the
 * unit-tested hook agree. Characters outside the URL path and query
 * characters are percent-encoded (`%` sequences are kept as sent), lone surrogates become U+FFFD.
 * The work is linear in the URL (at most 8,192 bytes on CloudFront): no regular expression runs
 * over the viewer's input.
 * @example edge().use(geoRedirect({ countries: ['de', 'fr'], fallback: 'en' }))
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/adding-cloudfront-headers.html#cloudfront-headers-viewer-location
 */
export function geoRedirect(options: GeoRedirectOptions): Middleware<never> {
  const o = knownOptions(options, OPTIONS, 'geoRedirect');
  if (!Array.isArray(o.countries) || !o.countries.length) {
    throw new ConfigError('countries', `expected a non-empty list of ISO 3166-1 alpha-2 codes, got ${repr(o.countries)}`);
  }
  const countries: Record<string, 1> = {};
  o.countries.forEach((c, i) => {
    countries[countryOption(`countries[${i}]`, c).toLowerCase()] = 1;
  });
  const fallback = o.fallback === undefined ? 'en' : o.fallback;
  if (typeof fallback !== 'string' || !/^[a-z0-9][a-z0-9_-]*$/.test(fallback)) {
    throw new ConfigError('fallback', `expected a lower-case path segment such as 'en', got ${repr(fallback)}`);
  }
  const config: GeoConfig = {
    header: o.header === undefined ? 'cloudfront-viewer-country' : readHeaderOption('geoRedirect', 'header', o.header),
    countries,
    sections: { ...countries, [fallback]: 1 },
    fallback,
    status: o.status === undefined ? 302 : oneOf('status', o.status, [301, 302, 307, 308] as const),
  };
  return defineMiddleware({
    name: 'geoRedirect',
    needs: [],
    config,
    request: geoRedirectRequest,
    direct: {
      cff: (c) => ({ request: geoRedirectCff(c), safe: true, constants: { SECTIONS: c.sections, COUNTRIES: c.countries } }),
      lambda: (c) => ({ request: geoRedirectLambda(c), safe: true, sets: { SECTIONS: Object.keys(c.sections), COUNTRIES: Object.keys(c.countries) } }),
    },
  });
}

// The three copies below (hook, CloudFront Function, Lambda@Edge handler) give the same Location.
// The encoding is encodeURI (linear, native; it leaves exactly the URL characters of the old
// rule unencoded but for `#`, and encodes `%`), then `%25` back to `%` and `#` to `%23` with
// split/join. No regular expression with a callback runs over viewer input: njs 0.7.9's
// global replace with a callback loops forever on some UTF-8 strings (issue 11), and string
// building is by arrays and join, never `+=` in a loop (quadratic in njs, issue 12).

/**
 * The CloudFront Function an expert writes (after the AWS example redirect-based-on-country),
 * with the hook's rules: the event's own objects, a fast path for a uri already under a
 * two-letter section, and the hook's encoding of the Location.
 */
function geoRedirectCff(config: GeoConfig): string {
  const twoLetter = Object.keys(config.sections).some((k) => k.length === 2);
  return String.raw`function (request) {
  var uri = request.uri;
  ${twoLetter ? "if (uri.charAt(3) === '/' && SECTIONS[uri.substring(1, 3)] === 1) return request;" : ''}
  var start = 0;
  while (uri.charCodeAt(start) === 47 || uri.charCodeAt(start) === 92) start++;
  var rest = uri.substring(start), end = rest.indexOf('/');
  var first = end < 0 ? rest : rest.substring(0, end), section;
  if (SECTIONS[first] === 1) {
    if (start === 1 && end >= 0) return request;
    section = first;
    rest = end < 0 ? '' : rest.substring(end + 1);
  } else {
    var country = request.headers[${JSON.stringify(config.header)}];
    section = country ? country.value.toLowerCase() : '';
    if (COUNTRIES[section] !== 1) section = ${JSON.stringify(config.fallback)};
  }
  var parts = [], n = 0, query = request.querystring, names = Object.keys(query).sort(), name, value;
  for (var j = 0; j < names.length; j++) {
    var param = query[name = names[j]], values = param.multiValue;
    if (values && values.length) {
      for (var i = 0; i < values.length; i++) {
        if ((value = values[i].value)) parts[n++] = name + '=' + value;
        else if (name) parts[n++] = name;
      }
    } else if ((value = param.value)) parts[n++] = name + '=' + value;
    else if (name) parts[n++] = name;
  }
  var tail = parts.length ? rest + '?' + parts.join('&') : rest;
  try {
    tail = encodeURI(tail);
  } catch (e) {
    var fixed = [], from = 0;
    for (var k = 0; k < tail.length; k++) {
      var c = tail.charCodeAt(k);
      if (c < 0xd800 || c > 0xdfff) continue;
      if (c < 0xdc00 && (tail.charCodeAt(k + 1) & 0xfc00) === 0xdc00) { k++; continue; }
      fixed.push(tail.substring(from, k), '\ufffd');
      from = k + 1;
    }
    fixed.push(tail.substring(from));
    tail = encodeURI(fixed.join(''));
  }
  if (tail.indexOf('%25') >= 0) tail = tail.split('%25').join('%');
  if (tail.indexOf('#') >= 0) tail = tail.split('#').join('%23');
  return { statusCode: ${config.status}, headers: { location: { value: '/' + section + '/' + tail } } };
}`;
}

// The hook is lowered as source text to ES5 (CloudFront Functions 1.0): only its parameters,
// globals and ES5 built-ins; index loops, no spread or destructuring.
function geoRedirectRequest(ctx: RequestContext, config: GeoConfig): Answer | undefined {
  const uri = ctx.request.uri;
  // Leading slashes and backslashes collapse to one: `//evil.example` and `/\evil.example`
  // must never reach a Location header as a protocol-relative URL.
  let start = 0;
  while (start < uri.length && (uri.charCodeAt(start) === 47 || uri.charCodeAt(start) === 92)) start++;
  let rest = uri.slice(start);
  const end = rest.indexOf('/');
  const first = end < 0 ? rest : rest.slice(0, end);
  let section: string;
  if (config.sections[first] === 1) {
    // Already in a section: the common case, left untouched.
    if (start === 1 && end >= 0) return undefined;
    // `/de` -> `/de/`, `//de/x` -> `/de/x`.
    section = first;
    rest = end < 0 ? '' : rest.slice(end + 1);
  } else {
    const country = ctx.request.headers.get(config.header);
    const code = country ? country.toLowerCase() : '';
    section = config.countries[code] === 1 ? code : config.fallback;
  }
  // The query string in the form every target can give (see geoRedirect): names sorted, each
  // name's values in order, `a=` as `a`, no empty pairs. Keys get a prefix so no name
  // (`__proto__`) reaches Object.prototype, and sort as the names do.
  const pairs = ctx.request.querystring.toString().split('&');
  const groups: Record<string, string[]> = {};
  const order: string[] = [];
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i];
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    const value = eq < 0 ? '' : pair.slice(eq + 1);
    if (!name && !value) continue;
    const key = '~' + name;
    let list = groups[key];
    if (!list) {
      list = groups[key] = [];
      order.push(key);
    }
    list.push(value ? name + '=' + value : name);
  }
  order.sort();
  const parts: string[] = [];
  for (let i = 0; i < order.length; i++) parts.push(groups[order[i]].join('&'));
  let tail = parts.length ? rest + '?' + parts.join('&') : rest;
  // Anything outside the URL path and query characters is percent-encoded (CR, LF, spaces,
  // non-ASCII, backslash, `#`), so the Location header is always valid; `%` stays as sent; a
  // surrogate pair is one character and a lone surrogate becomes U+FFFD instead of throwing.
  try {
    tail = encodeURI(tail);
  } catch (e) {
    const fixed: string[] = [];
    let from = 0;
    for (let k = 0; k < tail.length; k++) {
      const c = tail.charCodeAt(k);
      if (c < 0xd800 || c > 0xdfff) continue;
      if (c < 0xdc00 && (tail.charCodeAt(k + 1) & 0xfc00) === 0xdc00) {
        k++;
        continue;
      }
      fixed.push(tail.slice(from, k), '\ufffd');
      from = k + 1;
    }
    fixed.push(tail.slice(from));
    tail = encodeURI(fixed.join(''));
  }
  if (tail.indexOf('%25') >= 0) tail = tail.split('%25').join('%');
  if (tail.indexOf('#') >= 0) tail = tail.split('#').join('%23');
  return ctx.redirect('/' + section + '/' + tail, config.status);
}

/**
 * The Lambda@Edge handler an expert writes, with the hook's rules: the raw query string put in
 * the form every target gives (see geoRedirect).
 */
function geoRedirectLambda(config: GeoConfig): string {
  return String.raw`function (request) {
  var uri = request.uri;
  if (uri.charAt(3) === '/' && SECTIONS.has(uri.substring(1, 3))) return request;
  var start = 0;
  while (uri.charCodeAt(start) === 47 || uri.charCodeAt(start) === 92) start++;
  var rest = uri.substring(start), end = rest.indexOf('/');
  var first = end < 0 ? rest : rest.substring(0, end), section;
  if (SECTIONS.has(first)) {
    if (start === 1 && end >= 0) return request;
    section = first;
    rest = end < 0 ? '' : rest.substring(end + 1);
  } else {
    var country = request.headers[${JSON.stringify(config.header)}];
    section = country && country.length ? country[0].value.toLowerCase() : '';
    if (!COUNTRIES.has(section)) section = ${JSON.stringify(config.fallback)};
  }
  var tail = rest, qs = request.querystring;
  if (qs) {
    // Most query strings are already in that form (names in order, no empty pair or value).
    var pairs = qs.split('&'), prev = '', i, pair, eq, name;
    for (i = 0; i < pairs.length; i++) {
      pair = pairs[i];
      eq = pair.indexOf('=');
      name = eq < 0 ? pair : pair.substring(0, eq);
      if (!pair || eq === pair.length - 1 || name < prev) break;
      prev = name;
    }
    if (i === pairs.length) tail += '?' + qs;
    else tail += canonical(pairs);
  }
  if (/[^\w\-.~!$&'()*+,;=:@\/?%]/.test(tail)) {
    try {
      tail = encodeURI(tail);
    } catch (e) {
      tail = encodeURI(tail.toWellFormed());
    }
    if (tail.indexOf('%25') >= 0) tail = tail.split('%25').join('%');
    if (tail.indexOf('#') >= 0) tail = tail.split('#').join('%23');
  }
  return { status: '${config.status}', headers: { location: [{ key: 'Location', value: '/' + section + '/' + tail }] } };

  function canonical(pairs) {
    var groups = new Map(), names = [], parts = [];
    for (var i = 0; i < pairs.length; i++) {
      var pair = pairs[i], eq = pair.indexOf('=');
      var name = eq < 0 ? pair : pair.substring(0, eq), value = eq < 0 ? '' : pair.substring(eq + 1);
      if (!name && !value) continue;
      var list = groups.get(name);
      if (!list) {
        groups.set(name, list = []);
        names.push(name);
      }
      list.push(value ? name + '=' + value : name);
    }
    names.sort();
    for (var j = 0; j < names.length; j++) parts.push(groups.get(names[j]).join('&'));
    return parts.length ? '?' + parts.join('&') : '';
  }
}`;
}
