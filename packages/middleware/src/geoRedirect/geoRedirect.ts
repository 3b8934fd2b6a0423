import { ConfigError, defineMiddleware, type Answer, type Middleware, type RedirectStatus, type RequestContext } from '@edgeline/core';
import { countryOption, repr, knownOptions, oneOf, readHeaderOption } from '../lib/options.js';

export interface GeoRedirectOptions {
  /** ISO 3166-1 alpha-2 codes (any case) that have their own `/<code>/` section. */
  countries: readonly string[];
  /** The section for every other viewer (and when the country is unknown). Default `'en'`. */
  fallback?: string;
  /**
   * What a viewer from a country not in `countries` (or of unknown country) gets: `'fallback'`
   * (default), a redirect to the fallback section; `'pass'`, the request goes on unchanged, as in
   * AWS's country-redirect sample. The fallback section stays a section either way.
   */
  others?: 'fallback' | 'pass';
  /**
   * Answer with an absolute Location, `https://<host>/<section>/...`, instead of a path: a
   * hostname (letters, digits, `-`, `.`), with an optional `:port`; no scheme, path or user.
   */
  host?: string;
  /** Default 302. */
  status?: RedirectStatus;
  /** The request header that holds the viewer's country. Default `cloudfront-viewer-country`. */
  header?: string;
  /**
   * A request whose path and query string are longer than this (characters), or whose query
   * string has more than 1/32 as many parameters, goes on unchanged instead of redirected:
   * encoding a Location that long costs more than CloudFront's ~1 ms compute budget allows
   * (an 8 KB URL of characters to encode costs ~3M njs instructions). Default 2048, 256 to 8192.
   */
  maxUrlLength?: number;
}

type GeoConfig = {
  header: string;
  /** Lower-case country code -> 1. */
  countries: Record<string, 1>;
  /** Every section prefix (countries and fallback) -> 1. */
  sections: Record<string, 1>;
  fallback: string;
  /** others: 'pass'. */
  pass: boolean;
  /** `https://host`, or '' for a path Location. */
  origin: string;
  status: RedirectStatus;
  maxUrlLength: number;
  /** maxUrlLength / 32: rebuilding a query string from the event object costs ~2,000 njs instructions a value (1.0). */
  maxParams: number;
};

const OPTIONS = ['countries', 'fallback', 'others', 'host', 'status', 'header', 'maxUrlLength'];

/**
 * Redirects a request to the section of the viewer's country: `/pricing` from Germany goes to
 * `/de/pricing` (query string kept), from elsewhere to `/<fallback>/pricing` (or, with
 * `others: 'pass'`, on unchanged). A request already under a section (`/de/...`, `/en/...`) goes
 * on unchanged. With `host`, the Location is absolute (`https://<host>/de/pricing`).
 * Viewer-request, every target.
 *
 * The Location keeps the query string as the viewer sent it (order, repeats, `a=`, empty pairs)
 * where the runtime has it: Lambda@Edge (`querystring`) and cloudfront-js-2.0
 * (`request.rawQueryString()`). cloudfront-js-1.0 has only the event's `querystring` object, so
 * there it is rebuilt from the object in the object's order: `a=` and `a` both come out `a`, a
 * repeated name's values come together (`a=1&b=2&a=3` gives `a=1&a=3&b=2`), empty pairs are
 * gone, and njs enumerates an object of more than about 10 names in hash order. Characters
 * outside the URL path and query characters are percent-encoded (`%` sequences are kept as
 * sent), lone surrogates become U+FFFD. The work is linear in the URL (at most 8,192 bytes on
 * CloudFront): no regular expression with a callback runs over the viewer's input.
 * @example edge().use(geoRedirect({ countries: ['de', 'fr'], others: 'pass', host: 'www.example.com' }))
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
    pass: (o.others === undefined ? 'fallback' : oneOf('others', o.others, ['fallback', 'pass'] as const)) === 'pass',
    origin: o.host === undefined ? '' : 'https://' + hostOption(o.host),
    status: o.status === undefined ? 302 : oneOf('status', o.status, [301, 302, 307, 308] as const),
    maxUrlLength: 2048,
    maxParams: 64,
  };
  if (o.maxUrlLength !== undefined) {
    if (typeof o.maxUrlLength !== 'number' || !Number.isInteger(o.maxUrlLength) || o.maxUrlLength < 256 || o.maxUrlLength > 8192) {
      throw new ConfigError('maxUrlLength', `geoRedirect maxUrlLength: expected an integer from 256 to 8192, got ${repr(o.maxUrlLength)}`);
    }
    config.maxUrlLength = o.maxUrlLength;
    config.maxParams = Math.floor(o.maxUrlLength / 32);
  }
  return defineMiddleware({
    name: 'geoRedirect',
    needs: [],
    config,
    request: geoRedirectRequest,
    direct: {
      cff: (c, runtime) => ({ request: geoRedirectCff(c, runtime === 'cloudfront-js-2.0'), safe: true, constants: { SECTIONS: c.sections, COUNTRIES: c.countries } }),
      lambda: (c) => ({ request: geoRedirectLambda(c), safe: true, sets: { SECTIONS: Object.keys(c.sections), COUNTRIES: Object.keys(c.countries) } }),
    },
  });
}

/** A hostname (or IPv4 address) with an optional port, lower-cased: nothing else may reach the Location. */
function hostOption(value: unknown): string {
  if (typeof value !== 'string' || !value) throw new ConfigError('host', `expected a hostname such as 'www.example.com', got ${repr(value)}`);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) throw new ConfigError('host', `give the hostname alone, without '${value.slice(0, value.indexOf(':') + 3)}': the Location is https://<host>/...`);
  const m = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)(?::(\d{1,5}))?$/.exec(value);
  if (!m || m[1].length > 253 || (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535 || m[2].charAt(0) === '0'))) {
    throw new ConfigError('host', `${JSON.stringify(value)} is not a hostname with an optional :port (no path, user, query or spaces)`);
  }
  return value.toLowerCase();
}

// The three copies below (hook, CloudFront Function, Lambda@Edge handler) give the same Location
// for the same runtime: the hook's `querystring.toString()` is the raw text on Lambda@Edge and 2.0.
// The encoding is encodeURI (linear, native; it leaves exactly the URL characters of the old
// rule unencoded but for `#`, and encodes `%`), then `%25` back to `%` and `#` to `%23` with
// split/join. No regular expression with a callback runs over viewer input: njs 0.7.9's
// global replace with a callback loops forever on some UTF-8 strings (issue 11), and string
// building is by arrays and join, never `+=` in a loop (quadratic in njs, issue 12).

/**
 * The CloudFront Function an expert writes (after the AWS example redirect-based-on-country),
 * with the hook's rules: the event's own objects, a fast path for a uri already under a
 * two-letter section, the query string as sent on 2.0 (`rawQueryString()`) or rebuilt from the
 * object on 1.0 (as the hook's `querystring.toString()`), and the hook's encoding.
 */
function geoRedirectCff(config: GeoConfig, raw: boolean): string {
  const twoLetter = Object.keys(config.sections).some((k) => k.length === 2);
  const query = raw
    ? `var query = request.rawQueryString() || '';
  if (uri.length + query.length > ${config.maxUrlLength} || (query.length > ${2 * config.maxParams - 2} && query.split('&').length > ${config.maxParams})) return request;
  var tail = query ? rest + '?' + query : rest;`
    : `if (uri.length > ${config.maxUrlLength}) return request;
  ` + String.raw`var parts = [], n = 0, size = uri.length, query = request.querystring, name, param, values, i;
  for (name in query) {
    param = query[name];
    values = param.multiValue && param.multiValue.length ? param.multiValue : [param];
    for (i = 0; i < values.length; i++) {
      parts[n++] = values[i].value !== '' ? name + '=' + values[i].value : name;
      size += parts[n - 1].length + 1;
      if (n > ${config.maxParams} || size > ${config.maxUrlLength + 1}) return request;
    }
  }
  query = parts.join('&');
  var tail = query ? rest + '?' + query : rest;`;
  return String.raw`function (request) {
  var uri = request.uri;
  ${twoLetter ? "if (uri.charAt(3) === '/' && SECTIONS[uri.substring(1, 3)] === 1) return request;" : ''}
  // One search, not a charCodeAt per slash: a call costs ~870 instructions in njs 0.7.9.
  var start = uri.search(/[^\/\\]/);
  if (start < 0) start = uri.length;
  var rest = uri.substring(start), end = rest.indexOf('/');
  var first = end < 0 ? rest : rest.substring(0, end), section;
  if (SECTIONS[first] === 1) {
    if (start === 1 && end >= 0) return request;
    section = first;
    rest = end < 0 ? '' : rest.substring(end + 1);
  } else {
    var country = request.headers[${JSON.stringify(config.header)}];
    section = country ? country.value.toLowerCase() : '';
    if (COUNTRIES[section] !== 1) ${config.pass ? 'return request;' : `section = ${JSON.stringify(config.fallback)};`}
  }
  ${query}
  try {
    tail = encodeURI(tail);
  } catch (e) {
    // A lone surrogate: U+FFFD (a pair is kept), a push a code unit: this runs only then.
    var fixed = [];
    for (var k = 0; k < tail.length; k++) {
      var c = tail.charCodeAt(k);
      fixed.push(c >> 10 === 54 && tail.charCodeAt(k + 1) >> 10 === 55 ? tail.substr(k++, 2) : c >> 11 === 27 ? '\ufffd' : tail.charAt(k));
    }
    tail = encodeURI(fixed.join(''));
  }
  if (tail.includes('%25')) tail = tail.split('%25').join('%');
  if (tail.includes('#')) tail = tail.split('#').join('%23');
  return { statusCode: ${config.status}, headers: { location: { value: '${config.origin}/' + section + '/' + tail } } };
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
    if (config.countries[code] !== 1 && config.pass) return undefined;
    section = config.countries[code] === 1 ? code : config.fallback;
  }
  // The query string as sent where the runtime has it (Lambda@Edge, cloudfront-js-2.0), else
  // rebuilt from the event's object (cloudfront-js-1.0): see geoRedirect.
  const query = ctx.request.querystring.toString();
  // A URL too long to encode within CloudFront's compute budget goes on unchanged (maxUrlLength).
  // (n parameters take at least 2n - 1 characters: a short query string is not split to count them.)
  if (uri.length + query.length > config.maxUrlLength || (query.length > 2 * config.maxParams - 2 && query.split('&').length > config.maxParams)) return undefined;
  let tail = query ? rest + '?' + query : rest;
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
  return ctx.redirect(config.origin + '/' + section + '/' + tail, config.status);
}

/** The Lambda@Edge handler an expert writes, with the hook's rules: the query string as sent. */
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
    if (!COUNTRIES.has(section)) ${config.pass ? 'return request;' : `section = ${JSON.stringify(config.fallback)};`}
  }
  var qs = request.querystring;
  if (uri.length + qs.length > ${config.maxUrlLength} || (qs.length > ${2 * config.maxParams - 2} && qs.split('&').length > ${config.maxParams})) return request;
  var tail = qs ? rest + '?' + qs : rest;
  if (/[^\w\-.~!$&'()*+,;=:@\/?%]/.test(tail)) {
    try {
      tail = encodeURI(tail);
    } catch (e) {
      tail = encodeURI(tail.toWellFormed());
    }
    if (tail.indexOf('%25') >= 0) tail = tail.split('%25').join('%');
    if (tail.indexOf('#') >= 0) tail = tail.split('#').join('%23');
  }
  return { status: '${config.status}', headers: { location: [{ key: 'Location', value: '${config.origin}/' + section + '/' + tail }] } };
}`;
}
