import { ConfigError, defineMiddleware, type DirectHooks, type Middleware, type RequestContext } from '@edgeline/core';
import { booleanOption, knownOptions, named, repr, stringListOption } from '../lib/options.js';

export interface NormalizeQueryOptions {
  /** Orders the parameters by name (a name's values keep their order). Default true. */
  sort?: boolean;
  /** Lower-cases parameter names (as sent, so `%C3%A9` becomes `%c3%a9`). Default false. */
  lowercaseNames?: boolean;
  /** Keeps only these parameters (names as sent, after lowercaseNames). */
  allow?: string | string[];
  /** Drops these parameters (names as sent, after lowercaseNames). */
  deny?: string | string[];
  /** A query string of more parameters goes on unchanged: sorting costs n log n. Default 100 (1 to 1000). */
  maxParams?: number;
}

type NormalizeQueryConfig = {
  sort: boolean;
  lower: boolean;
  /** `{ name: 1 }` of the names kept, or null for all. */
  allow: Record<string, number> | null;
  /** `{ name: 1 }` of the names dropped, or null for none. */
  deny: Record<string, number> | null;
  max: number;
};

const OPTIONS = ['sort', 'lowercaseNames', 'allow', 'deny', 'maxParams'];
/** A parameter name as a URL carries it: unreserved and sub-delim characters, percent escapes. */
const NAME = /^([A-Za-z0-9._~!$'()*+,;:@/?-]|%[0-9A-Fa-f]{2})+$/;

/**
 * One cache key for equivalent query strings: `?b=2&a=1&&a=3&c=` becomes `?a=1&a=3&b=2&c` on every
 * target, byte for byte. Empty pairs go, `c=` is written `c` (CloudFront Functions 1.0 cannot
 * tell them apart), names are sorted (each name's values keep their order), optionally lower-cased
 * and filtered by `allow` or `deny`. The result is handed to CloudFront as text, in that order
 * (ParamMap.setString), also on runtime 1.0, whose query string object njs orders by hash past 10
 * names. Viewer-request, every target; put it before anything that reads the query string.
 * A query string with characters outside ASCII, or more than `maxParams` parameters, goes on as sent.
 * @example edge().use(normalizeQuery({ deny: ['utm_source', 'utm_medium', 'fbclid'] }))
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/example-function-normalize-query-string.html
 */
export function normalizeQuery(options: NormalizeQueryOptions = {}): Middleware<never> {
  return named('normalizeQuery', () => build(options));
}

function build(options: NormalizeQueryOptions): Middleware<never> {
  const o = knownOptions(options, OPTIONS, 'normalizeQuery');
  const lower = booleanOption('lowercaseNames', o.lowercaseNames, false);
  if (o.allow !== undefined && o.deny !== undefined) throw new ConfigError('allow', 'give allow or deny, not both: allow keeps only its names, which already drops every other');
  const max = o.maxParams === undefined ? 100 : o.maxParams;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 1000) throw new ConfigError('maxParams', `expected a whole number from 1 to 1000, got ${repr(max)}`);
  const config: NormalizeQueryConfig = {
    sort: booleanOption('sort', o.sort, true),
    lower,
    allow: o.allow === undefined ? null : nameSet('allow', o.allow, lower),
    deny: o.deny === undefined ? null : nameSet('deny', o.deny, lower),
    max,
  };
  return defineMiddleware({
    name: 'normalizeQuery',
    needs: [],
    config,
    request: normalizeQueryRequest,
    direct: {
      // cloudfront-js-2.0 derives the hook (proven unable to throw: no try/catch).
      cff: (c, runtime): DirectHooks | undefined => {
        if (runtime !== 'cloudfront-js-1.0') return undefined;
        const names = c.allow || c.deny;
        return { request: normalizeQueryCff(c), safe: true, constants: names ? { NAMES: names } : {} };
      },
    },
  });
}

function nameSet(option: string, value: unknown, lower: boolean): Record<string, number> {
  const set: Record<string, number> = {};
  stringListOption(option, value).forEach((name, i) => {
    const at = Array.isArray(value) ? `${option}[${i}]` : option;
    if (!NAME.test(name)) throw new ConfigError(at, `'${name}' is not a query parameter name as a URL carries it (percent-encode other characters)`);
    if (lower && name !== name.toLowerCase()) throw new ConfigError(at, `'${name}' has upper-case letters, which lowercaseNames leaves no parameter with`);
    // Setting `__proto__` sets the table's prototype (here and in the artifact's literal): it would be no key at all.
    if (name === '__proto__') throw new ConfigError(at, "'__proto__' cannot be listed: it names the lookup table's prototype, not a key (a parameter of that name is kept as any other unlisted one)");
    // A lookup finds `constructor` on every object; an own key set to 1 is what counts.
    set[name] = 1;
  });
  return set;
}

/**
 * The CloudFront Function (cloudfront-js-1.0) an expert writes, after AWS's
 * normalize-query-string sample, with the hook's rules and only the code of the options given.
 * The hook below stays the one source of the behaviour (Lambda@Edge and 2.0 derive it;
 * targets.test.ts proves this copy equal to it); the copy exists because derivation cannot match
 * it on 1.0: the hook's `querystring.toString()` rebuilds the text from the event's object (a
 * helper) and splits it again, where one pass over the object builds the pairs. Every pair goes
 * to `pairs` (kept, in order, for the sort key's position) or `skip` (empty or filtered out): the
 * two joined are empty, or hold a character outside ASCII, exactly where the hook's text does
 * (names as CloudFront gives them: split at `&` and the first `=`); `for in` is the order the
 * hook's rebuild iterates, and counting values per name ends a long query string before any work
 * per value.
 */
function normalizeQueryCff(config: NormalizeQueryConfig): string {
  const out = config.sort
    ? String.raw`keys.sort();
  for (i = 0; i < keys.length; i++) keys[i] = pairs[+keys[i].substring(keys[i].length - 5) - 10000];
  request.querystring = keys.join('&');`
    : "request.querystring = pairs.join('&');";
  const name = config.lower ? 'name' : 'k';
  const keep = config.allow ? ` && NAMES[${name}] === 1` : config.deny ? ` && NAMES[${name}] !== 1` : '';
  return String.raw`function (request) {
  var q = request.querystring, keys = [], pairs = [], skip = [], n = 0, k, e, l, i, p${config.lower ? ', name' : ''};
  for (k in q) {
    e = q[k];
    l = e.multiValue && e.multiValue.length ? e.multiValue : [e];
    if ((n += l.length) > ${config.max}) return request;
    ${config.lower ? 'name = k.toLowerCase();' : ''}
    for (i = 0; i < l.length; i++) {
      p = l[i].value === '' ? ${name} : ${name} + '=' + l[i].value;
      if (p${keep}) ${config.sort ? String.raw`keys.push(${name} + '\u0001' + (10000 + pairs.length)), ` : ''}pairs.push(p);
      else skip.push(p);
    }
  }
  p = pairs.join('&') + skip.join('&');
  if (!p || /[^\x00-\x7f]/.test(p)${config.lower ? " || /[^\\x00-\\x7f]/.test(Object.keys(q).join(''))" : ''}) return request;
  ${out}
  return request;
}`;
}

// Lowered as source text (Lambda@Edge, CloudFront Functions 2.0; 1.0 runs normalizeQueryCff).
// Linear work up to the sort; the sort is native (no comparator called per pair): each key is the
// name, a separator below every URL character, and the pair's position, so equal names keep their
// order in every engine. The count of parts bounds the work: split is native. Written so that
// cannotThrow proves it (no try/catch on 2.0): a string array read at its loop index and never
// set by index, hence `out` rather than the sort keys overwritten in place.
function normalizeQueryRequest(ctx: RequestContext, config: NormalizeQueryConfig): void {
  const text = ctx.request.querystring.toString();
  if (!text || /[^\x00-\x7f]/.test(text)) return;
  const parts = text.split('&');
  if (parts.length > config.max) return;
  const keys: string[] = [];
  const pairs: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    // `=` is an empty pair too: CloudFront Functions 1.0 give it as an empty name with an empty value, rebuilt ''.
    if (!part || part === '=') continue;
    const eq = part.indexOf('=');
    let name = eq < 0 ? part : part.substring(0, eq);
    if (config.lower) name = name.toLowerCase();
    if (config.allow !== null && config.allow[name] !== 1) continue;
    if (config.deny !== null && config.deny[name] === 1) continue;
    const value = eq < 0 ? '' : part.substring(eq + 1);
    keys.push(name + '\u0001' + (10000 + pairs.length));
    pairs.push(value === '' ? name : name + '=' + value);
  }
  if (!config.sort) {
    ctx.request.querystring.setString(pairs.join('&'));
    return;
  }
  keys.sort();
  const out: string[] = [];
  for (let j = 0; j < keys.length; j++) out.push(pairs[+keys[j].substring(keys[j].length - 5) - 10000]);
  ctx.request.querystring.setString(out.join('&'));
}
