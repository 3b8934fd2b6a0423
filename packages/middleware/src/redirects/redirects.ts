import { ConfigError, defineMiddleware, type Answer, type Middleware, type RedirectStatus, type RequestContext } from '@edgeline/core';
import { booleanOption, isPlainObject, knownOptions, named, oneOf, repr } from '../lib/options.js';

/** One row of the table. */
export interface RedirectRule {
  /**
   * The path as the browser sends it (percent-encoded, case-sensitive, no query string):
   * `/old` matches that path exactly; `/blog/*` matches every path under `/blog/`.
   */
  from: string;
  /**
   * A path (`/new`, may carry a query string `/new?ref=old`) or an absolute `https://host/...`
   * URL. For a `/blog/*` rule a `to` ending in `*` gets the rest of the path (`/articles/*`);
   * without `*` every path under the prefix goes to the one target.
   */
  to: string;
  /** Overrides the middleware's `status` for this rule. */
  status?: RedirectStatus;
  /** `'keep'` (default) carries the viewer's query string over to the target, `'drop'` leaves it. */
  query?: 'keep' | 'drop';
}

export interface RedirectsOptions {
  /** The table. Exact rules win over prefix rules, and a longer prefix over a shorter one. */
  rules?: readonly RedirectRule[];
  /** Default 301. */
  status?: RedirectStatus;
  /**
   * cloudfront-js-2.0 only: a path no rule matches is looked up in the function's
   * KeyValueStore (key: the exact path; value: the target, or `'302 /target'` with its status),
   * for tables too large to inline. A value that is not a safe target is ignored.
   */
  kvs?: boolean;
}

/**
 * `[target, separator before the viewer's query string ('' to drop it), carry the rest of the
 * path (1/0), status if not the default]`: short, since a table of 200 rows is inlined.
 */
type Rule = [string, string, number] | [string, string, number, number];

/**
 * The table as the hooks read it. A rule with the defaults (query kept after `?`, the default
 * status, the rest of the path carried by a prefix rule) is its target alone, the shortest
 * literal for the 200 rules a CloudFront Function has room for; any other is a number, its place
 * in the lists `to`, `sep`, `statuses` and `whole`. A request reads the tables and lists
 * themselves (`config.x[key]`), never a property of what a lookup gave.
 */
type RedirectsConfig = {
  /** Exact path -> its target or number: one lookup whatever the size of the table. */
  exact: Record<string, string | number>;
  /** Prefix (ends in `/`) -> its target (without the `*`) or number. */
  prefix: Record<string, string | number>;
  /** The most slashes a prefix holds (0 without prefixes). */
  depth: number;
  /**
   * For each slash of a path up to the `depth`-th, 1 where a prefix has that many slashes: the
   * only lookups a request costs (the loop over it is written out in the artifact).
   */
  levels: number[];
  /** The targets of the rules with options, by number (null without such rules). */
  to: string[] | null;
  /** Their separators before the viewer's query string: `?`, `&` (the target has a query), `''` (`query: 'drop'`). */
  sep: string[];
  /** Their statuses. */
  statuses: number[];
  /** 1 for a prefix rule whose target takes no rest of the path (no `*`), else 0; null for none. */
  whole: number[] | null;
  /** The default status. */
  status: number;
};

/** The table as the build checks it: rules by index. */
interface Table {
  exact: Map<string, number>;
  prefix: Map<string, number>;
  rules: Rule[];
  froms: string[];
  min: number;
  depth: number;
}

const OPTIONS = ['rules', 'status', 'kvs'];
const RULE_KEYS = ['from', 'to', 'status', 'query'];
const STATUSES = [301, 302, 307, 308] as const;
/** URL path characters (RFC 3986 pchar and `/`). */
const PATH = /^\/[A-Za-z0-9\-._~!$&'()+,;=:@%/]*$/;
const QUERY = /^[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*$/;
const HOST = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(:\d{1,5})?$/;

/**
 * Redirects the paths of a table: `{ from: '/old', to: '/new' }` (exact) and
 * `{ from: '/blog/*', to: '/articles/*' }` (prefix: the rest of the path carried over). The
 * query string goes along unless a rule says `query: 'drop'` (as sent on Lambda@Edge and
 * cloudfront-js-2.0, rebuilt from the event's object on 1.0, as geoRedirect). Other paths go on
 * unchanged. Viewer-request, every target; `kvs: true` needs cloudfront-js-2.0.
 *
 * Checked at build: paths and https URLs only, `*` only at the end, no rule whose target
 * leads back to it through the table (a redirect loop). The rest of a path carried over never
 * makes a Location of another host: leading slashes and backslashes collapse, and characters
 * outside URL characters are percent-encoded.
 * @example edge().use(redirects({ rules: [{ from: '/old', to: '/new' }, { from: '/blog/*', to: '/articles/*' }] }))
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/example_cloudfront_functions_redirect_based_on_country_section.html
 */
export function redirects(options: RedirectsOptions & { kvs: true }): Middleware<'kvs' | 'async'>;
export function redirects(options: RedirectsOptions): Middleware<never>;
export function redirects(options: RedirectsOptions): Middleware<'kvs' | 'async'> | Middleware<never> {
  return named('redirects', () => build(options));
}

function build(options: RedirectsOptions): Middleware<'kvs' | 'async'> | Middleware<never> {
  const o = knownOptions(options, OPTIONS, 'redirects');
  const kvs = booleanOption('kvs', o.kvs, false);
  const status = o.status === undefined ? 301 : oneOf('status', o.status, STATUSES);
  const list = o.rules === undefined && kvs ? [] : o.rules;
  if (!Array.isArray(list) || (!list.length && !kvs)) throw new ConfigError('rules', `expected a non-empty list of { from, to } rules, got ${repr(list)}`);
  const table: Table = { exact: new Map(), prefix: new Map(), rules: [], froms: [], min: 0, depth: 0 };
  list.forEach((raw: unknown, i: number) => {
    const at = `rules[${i}]`;
    if (!isPlainObject(raw)) throw new ConfigError(at, `expected { from, to }, got ${repr(raw)}`);
    for (const key of Object.keys(raw)) {
      if (RULE_KEYS.indexOf(key) < 0) throw new ConfigError(`${at}.${key}`, `unknown rule field (a rule takes ${RULE_KEYS.join(', ')})`);
    }
    const { from, star } = fromOption(`${at}.from`, raw.from);
    const to = toOption(`${at}.to`, raw.to, star);
    const lookup = star ? table.prefix : table.exact;
    if (lookup.has(from)) throw new ConfigError(`${at}.from`, `'${raw.from}' is in the table twice (rules[${lookup.get(from)}])`);
    lookup.set(from, i);
    table.froms.push(from + (star ? '*' : ''));
    const carry = to.endsWith('*');
    const keep = (raw.query === undefined ? 'keep' : oneOf(`${at}.query`, raw.query, ['keep', 'drop'] as const)) === 'keep';
    const rule: Rule = [carry ? to.slice(0, -1) : to, keep ? (to.indexOf('?') >= 0 ? '&' : '?') : '', carry ? 1 : 0];
    const own = raw.status === undefined ? status : oneOf(`${at}.status`, raw.status, STATUSES);
    if (own !== status) rule.push(own);
    table.rules.push(rule);
  });
  const depths = [...table.prefix.keys()].map((p) => p.split('/').length - 1);
  if (depths.length) {
    table.min = Math.min(...depths);
    table.depth = Math.max(...depths);
  }
  noLoops(table);
  const config: RedirectsConfig = { exact: {}, prefix: {}, depth: table.depth, levels: [], to: [], sep: [], statuses: [], whole: [], status };
  // (Keys start with '/': none is `__proto__`.)
  const entry = ([to, sep, carry, own]: Rule, prefix: boolean): string | number => {
    const whole = prefix && !carry ? 1 : 0;
    if (sep === '?' && own === undefined && !whole) return to;
    config.to!.push(to);
    config.sep.push(sep);
    config.statuses.push(own ?? status);
    config.whole!.push(whole);
    return config.to!.length - 1;
  };
  for (const [from, i] of table.exact) config.exact[from] = entry(table.rules[i], false);
  for (const [from, i] of table.prefix) {
    config.prefix[from] = entry(table.rules[i], true);
    const slashes = from.split('/').length - 1;
    while (config.levels.length < slashes) config.levels.push(0);
    config.levels[slashes - 1] = 1;
  }
  // Without such rules, a literal null in the artifact: the code reading them is gone.
  if (!config.to!.length) config.to = null;
  if (config.whole!.indexOf(1) < 0) config.whole = null;
  if (kvs) {
    return defineMiddleware<'kvs' | 'async', RedirectsConfig>({ name: 'redirects', needs: ['kvs', 'async'], config, request: redirectsKvsRequest });
  }
  return defineMiddleware<never, RedirectsConfig>({ name: 'redirects', needs: [], config, request: redirectsRequest });
}

function fromOption(option: string, value: unknown): { from: string; star: boolean } {
  if (typeof value !== 'string' || !value) throw new ConfigError(option, `expected a path such as '/old' or '/blog/*', got ${repr(value)}`);
  const star = value.endsWith('*');
  const from = star ? value.slice(0, -1) : value;
  if (star && !from.endsWith('/')) throw new ConfigError(option, `'${value}': a prefix rule ends in '/*' ('/blog/*' matches every path under /blog/)`);
  if (!PATH.test(from)) {
    throw new ConfigError(option, `'${value}' is not a path as a browser sends it: it starts with '/', holds URL path characters only (percent-encode others: '/caf%C3%A9'), no query string, and '*' only at the end`);
  }
  if (/%(?![0-9A-Fa-f]{2})/.test(from)) throw new ConfigError(option, `'${value}' has a '%' that starts no percent-escape`);
  return { from, star };
}

function toOption(option: string, value: unknown, prefixRule: boolean): string {
  if (typeof value !== 'string' || !value) throw new ConfigError(option, `expected a path ('/new') or an https URL ('https://example.com/new'), got ${repr(value)}`);
  const star = value.endsWith('*');
  if (star && !prefixRule) throw new ConfigError(option, `'${value}': only a prefix rule (from '/x/*') carries the rest of the path with '*'`);
  const body = star ? value.slice(0, -1) : value;
  const q = body.indexOf('?');
  if (star && q >= 0) throw new ConfigError(option, `'${value}': '*' carries the rest of the path, so it cannot follow a query string`);
  const path = q < 0 ? body : body.slice(0, q);
  const query = q < 0 ? '' : body.slice(q + 1);
  let local = path;
  if (/^https:\/\//i.test(path)) {
    const slash = path.indexOf('/', 8);
    // A path after the host is required: `https://example.com*` plus `@evil.example` would name another host.
    if (slash < 0) throw new ConfigError(option, `'${value}': an absolute target has a path after the host ('https://example.com/')`);
    const host = path.slice(8, slash);
    if (!HOST.test(host)) throw new ConfigError(option, `'${value}': '${host}' is not a lower-case host name (no user info)`);
    local = path.slice(slash);
  } else if (/^[a-z][a-z0-9+.-]*:/i.test(path)) {
    throw new ConfigError(option, `'${value}': an absolute target is an https URL`);
  }
  // `//host` and `/\host` are protocol-relative: a browser leaves the site.
  if (local.charAt(0) !== '/' || local.charAt(1) === '/' || local.charAt(1) === '\\') {
    throw new ConfigError(option, `'${value}' is neither a path on this site ('/new') nor an https URL: a target starting '//' or '/\\' names another host`);
  }
  if (!PATH.test(local) || !QUERY.test(query) || /%(?![0-9A-Fa-f]{2})/.test(body)) {
    throw new ConfigError(option, `'${value}' holds characters a Location may not (percent-encode them), a fragment, or a bad percent-escape`);
  }
  return value;
}

/** The rule a path meets, as the hooks find it, and the path it redirects to. */
function follow(table: Table, path: string): { rule: number; next: string | undefined } | undefined {
  let rule = table.exact.get(path);
  let at = path.length;
  if (rule === undefined && table.depth) {
    for (let p = 0, d = 1; ; d++) {
      const k = d >= table.min ? table.prefix.get(path.slice(0, p + 1)) : undefined;
      if (k !== undefined) {
        rule = k;
        at = p + 1;
      }
      if (d >= table.depth || (p = path.indexOf('/', p + 1)) < 0) break;
    }
  }
  if (rule === undefined) return undefined;
  const [to, , carry] = table.rules[rule];
  if (!to.startsWith('/')) return { rule, next: undefined }; // another site
  let next = to.split('?')[0];
  if (carry) next += path.slice(at).replace(/^[/\\]+/, '');
  return { rule, next };
}

/**
 * Refuses a table in which some path is redirected, rule after rule, back to a rule it has
 * met (a loop: the browser gives up with "too many redirects"). Each walk starts from a rule's
 * own path (a prefix rule's with a segment no rule names) and ends at a path no rule matches,
 * an https target, or the same rule again: linear in the table for each walk.
 */
function noLoops(table: Table): void {
  const { froms, rules } = table;
  froms.forEach((from, start) => {
    let path: string | undefined = from.endsWith('*') ? from.slice(0, -1) + '\u0000' : from;
    const seen: number[] = [];
    while (path !== undefined) {
      const hit = follow(table, path);
      if (!hit) return;
      if (seen.indexOf(hit.rule) >= 0) {
        const chain = [...seen, hit.rule].map((i) => `${froms[i]} -> ${rules[i][0]}${rules[i][2] ? '*' : ''}`).join(', ');
        throw new ConfigError(`rules[${start}]`, `a redirect loop: ${chain}`);
      }
      seen.push(hit.rule);
      path = hit.next;
    }
  });
}

// The hooks are lowered as source text to ES5 (CloudFront Functions 1.0): only their
// parameters, index loops, no spread or destructuring. They read the option tables themselves
// (`config.x[key]`), never a property of what a lookup gave, so the build proves they cannot
// throw and wraps no try/catch around them. Both find the rule the same way; the KeyValueStore
// one is a copy with the store read added (a hook cannot call a shared function), and async.
function redirectsRequest(ctx: RequestContext, config: RedirectsConfig): Answer | undefined {
  const uri = ctx.request.uri;
  // A target, a number, or undefined: `constructor` and the other Object.prototype names read
  // as functions or as Object.prototype itself (neither a string nor a number).
  let rule = config.exact[uri];
  let tail = '';
  // The longest prefix: one lookup at each slash count a prefix has, written out in the artifact
  // (none after an exact rule: p is -1, as once the path has no more slashes).
  let at = 0;
  let p = config.depth && rule !== undefined ? -1 : 0;
  for (let i = 0; i < config.levels.length; i++) {
    if (i && p >= 0) p = uri.indexOf('/', p + 1);
    if (config.levels[i] && p >= 0) {
      // (The key ends in '/': never an Object.prototype name.)
      const t = config.prefix[uri.slice(0, p + 1)];
      if (t !== undefined) {
        rule = t;
        at = p + 1;
      }
    }
  }
  let sep = '?';
  let status = config.status;
  if (config.to !== null && typeof rule === 'number') {
    // A rule with options: its parts by number. (The lists hold strings and numbers: `'' +`
    // and `+` change nothing but tell the build what they read.)
    sep = '' + config.sep[rule];
    status = +config.statuses[rule];
    // (A prefix rule whose target takes no rest: none carried.)
    if (config.whole !== null && config.whole[rule]) at = 0;
    rule = config.to[rule];
  }
  if (typeof rule !== 'string') return undefined;
  if (config.depth && at) {
    tail = uri.slice(at);
    // `/old/*` -> `/*` and `/old//evil.example`: leading slashes and backslashes collapse, so
    // the Location never becomes protocol-relative (`//evil.example`, `/\evil.example`).
    const c = tail.charCodeAt(0);
    if (c === 47 || c === 92) tail = tail.replace(/^[\/\\]+/, '');
  }
  if (sep) {
    // As sent on Lambda@Edge and 2.0, rebuilt from the event's object on 1.0 (geoRedirect).
    const query = ctx.request.querystring.toString();
    // Encoding a URL this long costs more than CloudFront's compute budget allows on 1.0
    // (~2,000 njs instructions a parameter): it goes on unchanged, as from geoRedirect.
    // (n parameters take at least 2n - 1 characters: a short query string is not split.)
    if (uri.length + query.length > 2048 || (query.length > 126 && query.split('&').length > 64)) return undefined;
    if (query) tail += sep + query;
  }
  // Only URL characters reach the header (geoRedirect): `%` sequences stay as sent, a lone
  // surrogate becomes U+FFFD instead of throwing (in V8; njs strings hold none), then encodes.
  if (tail) {
    for (;;) {
      try {
        tail = encodeURI(tail);
        break;
      } catch (e) {
        let fixed = '';
        for (let pos = 0; pos < tail.length; pos++) {
          const unit = tail.charCodeAt(pos);
          // A lead (D800-DBFF: unit >> 10 is 54) followed by a trail (DC00-DFFF: 55) is a pair; any
          // other surrogate (D800-DFFF: unit >> 11 is 27) is alone.
          fixed += unit >> 10 === 54 && tail.charCodeAt(pos + 1) >> 10 === 55 ? tail.substr(pos++, 2) : unit >> 11 === 27 ? '\ufffd' : tail.charAt(pos);
        }
        tail = fixed;
      }
    }
    if (tail.includes('%25')) tail = tail.split('%25').join('%');
    if (tail.includes('#')) tail = tail.split('#').join('%23');
  }
  return ctx.redirect(rule + tail, status as RedirectStatus);
}

async function redirectsKvsRequest(ctx: RequestContext, config: RedirectsConfig): Promise<Answer | undefined> {
  const uri = ctx.request.uri;
  // A target, a number, or undefined: `constructor` and the other Object.prototype names read
  // as functions or as Object.prototype itself (neither a string nor a number).
  let rule = config.exact[uri];
  let tail = '';
  // The longest prefix: one lookup at each slash count a prefix has, written out in the artifact
  // (none after an exact rule: p is -1, as once the path has no more slashes).
  let at = 0;
  let p = config.depth && rule !== undefined ? -1 : 0;
  for (let i = 0; i < config.levels.length; i++) {
    if (i && p >= 0) p = uri.indexOf('/', p + 1);
    if (config.levels[i] && p >= 0) {
      // (The key ends in '/': never an Object.prototype name.)
      const t = config.prefix[uri.slice(0, p + 1)];
      if (t !== undefined) {
        rule = t;
        at = p + 1;
      }
    }
  }
  let sep = '?';
  let status = config.status;
  if (config.to !== null && typeof rule === 'number') {
    // A rule with options: its parts by number. (The lists hold strings and numbers: `'' +`
    // and `+` change nothing but tell the build what they read.)
    sep = '' + config.sep[rule];
    status = +config.statuses[rule];
    // (A prefix rule whose target takes no rest: none carried.)
    if (config.whole !== null && config.whole[rule]) at = 0;
    rule = config.to[rule];
  }
  // A path no rule matches: the store's. A KeyValueStore key is at most 512 bytes: a longer path
  // is in no table.
  if (typeof rule !== 'string' && uri.length <= 512) {
    const value = await ctx.kvs(uri);
    // The store is written outside the build: its value is checked here as `to` is at build.
    // `302 /new` or `/new`; a path on this site (not `//` or `/\`) or an https URL, URL characters only.
    if (typeof value === 'string' && value.length <= 1024) {
      let to = value;
      const code = value.slice(0, 4);
      if (code === '301 ' || code === '302 ' || code === '307 ' || code === '308 ') {
        status = +value.slice(0, 3);
        to = value.slice(4);
      }
      if (/^(\/(?![\/\\])|https:\/\/[a-z0-9.-]+(:\d+)?\/)[A-Za-z0-9\-._~!$&'()*+,;=:@%\/?]*$/.test(to)) {
        if (to.indexOf('?') >= 0) sep = '&';
        rule = to;
      }
    }
  }
  if (typeof rule !== 'string') return undefined;
  if (config.depth && at) {
    tail = uri.slice(at);
    // `/old/*` -> `/*` and `/old//evil.example`: leading slashes and backslashes collapse, so
    // the Location never becomes protocol-relative (`//evil.example`, `/\evil.example`).
    const c = tail.charCodeAt(0);
    if (c === 47 || c === 92) tail = tail.replace(/^[\/\\]+/, '');
  }
  if (sep) {
    // As sent on Lambda@Edge and 2.0, rebuilt from the event's object on 1.0 (geoRedirect).
    const query = ctx.request.querystring.toString();
    // Encoding a URL this long costs more than CloudFront's compute budget allows on 1.0
    // (~2,000 njs instructions a parameter): it goes on unchanged, as from geoRedirect.
    // (n parameters take at least 2n - 1 characters: a short query string is not split.)
    if (uri.length + query.length > 2048 || (query.length > 126 && query.split('&').length > 64)) return undefined;
    if (query) tail += sep + query;
  }
  // Only URL characters reach the header (geoRedirect): `%` sequences stay as sent, a lone
  // surrogate becomes U+FFFD instead of throwing (in V8; njs strings hold none), then encodes.
  if (tail) {
    for (;;) {
      try {
        tail = encodeURI(tail);
        break;
      } catch (e) {
        let fixed = '';
        for (let pos = 0; pos < tail.length; pos++) {
          const unit = tail.charCodeAt(pos);
          // A lead (D800-DBFF: unit >> 10 is 54) followed by a trail (DC00-DFFF: 55) is a pair; any
          // other surrogate (D800-DFFF: unit >> 11 is 27) is alone.
          fixed += unit >> 10 === 54 && tail.charCodeAt(pos + 1) >> 10 === 55 ? tail.substr(pos++, 2) : unit >> 11 === 27 ? '\ufffd' : tail.charAt(pos);
        }
        tail = fixed;
      }
    }
    if (tail.includes('%25')) tail = tail.split('%25').join('%');
    if (tail.includes('#')) tail = tail.split('#').join('%23');
  }
  return ctx.redirect(rule + tail, status as RedirectStatus);
}

