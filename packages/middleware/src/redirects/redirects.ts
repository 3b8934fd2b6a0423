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

type RedirectsConfig = {
  /**
   * Exact path -> its rule: one lookup whatever the size of the table. A rule with the defaults
   * (query kept, status of the option, no `?` in the target) is its target alone, the shortest
   * literal for the 200 rules a CloudFront Function has room for.
   */
  exact: Record<string, string | Rule>;
  /** Prefix (ends in `/`) -> its rule. */
  prefix: Record<string, Rule>;
  /**
   * The fewest and the most slashes a prefix holds (0 and 0 without prefixes): the request's
   * first `depth` slashes are all the lookups a request costs.
   */
  min: number;
  depth: number;
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
  const config: RedirectsConfig = { exact: {}, prefix: {}, min: table.min, depth: table.depth, status };
  // (Keys start with '/': none is `__proto__`.)
  for (const [from, i] of table.exact) {
    const r = table.rules[i];
    config.exact[from] = r[1] === '?' && r.length === 3 ? r[0] : r;
  }
  for (const [from, i] of table.prefix) config.prefix[from] = table.rules[i];
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
// parameters, index loops, no spread or destructuring. Both find the rule the same way; the
// KeyValueStore one is a copy with the store read added (a hook cannot call a shared function).
function redirectsRequest(ctx: RequestContext, config: RedirectsConfig): Answer | undefined {
  const uri = ctx.request.uri;
  let rule = config.exact[uri];
  let tail = '';
  if (typeof rule === 'string') rule = [rule, '?'] as unknown as Rule; // (an exact rule carries no rest)
  // An array or nothing: `constructor` and the other Object.prototype names read as functions
  // or as Object.prototype itself, neither of which has `pop`.
  else if (!(rule && rule.pop)) {
    let at = -1;
    // The longest prefix: one lookup for each of the first `depth` slashes, at most. (Without
    // prefixes `depth` is a literal 0 in the artifact and the loop is gone.)
    if (config.depth) {
      for (let p = 0, d = 1; ; d++) {
        if (d >= config.min) {
          // (The key ends in '/': never an Object.prototype name.)
          const k = config.prefix[uri.slice(0, p + 1)];
          if (k) {
            rule = k;
            at = p + 1;
          }
        }
        if (d >= config.depth || (p = uri.indexOf('/', p + 1)) < 0) break;
      }
    }
    if (at < 0) return undefined;
    if (rule[2]) {
      tail = uri.slice(at);
      // `/old/*` -> `/*` and `/old//evil.example`: leading slashes and backslashes collapse, so
      // the Location never becomes protocol-relative (`//evil.example`, `/\evil.example`).
      const c = tail.charCodeAt(0);
      if (c === 47 || c === 92) {
        const s = tail.search(/[^\/\\]/);
        tail = s < 0 ? '' : tail.slice(s);
      }
    }
  }
  if (rule[1]) {
    // As sent on Lambda@Edge and 2.0, rebuilt from the event's object on 1.0 (geoRedirect).
    const query = ctx.request.querystring.toString();
    // Encoding a URL this long costs more than CloudFront's compute budget allows on 1.0
    // (~2,000 njs instructions a parameter): it goes on unchanged, as from geoRedirect.
    // (n parameters take at least 2n - 1 characters: a short query string is not split.)
    if (uri.length + query.length > 2048 || (query.length > 126 && query.split('&').length > 64)) return undefined;
    if (query) tail += rule[1] + query;
  }
  // Only URL characters reach the header (geoRedirect): `%` sequences stay as sent, a lone
  // surrogate becomes U+FFFD instead of throwing (in V8; njs has none).
  if (tail) {
    try {
      tail = encodeURI(tail);
    } catch (e) {
      const fixed: string[] = [];
      for (let pos = 0; pos < tail.length; pos++) {
        const unit = tail.charCodeAt(pos);
        // A lead (D800-DBFF: unit >> 10 is 54) followed by a trail (DC00-DFFF: 55) is a pair; any
        // other surrogate (D800-DFFF: unit >> 11 is 27) is alone.
        fixed.push(unit >> 10 === 54 && tail.charCodeAt(pos + 1) >> 10 === 55 ? tail.substr(pos++, 2) : unit >> 11 === 27 ? '\ufffd' : tail.charAt(pos));
      }
      tail = encodeURI(fixed.join(''));
    }
    if (tail.includes('%25')) tail = tail.split('%25').join('%');
    if (tail.includes('#')) tail = tail.split('#').join('%23');
  }
  return ctx.redirect(rule[0] + tail, (rule[3] || config.status) as RedirectStatus);
}

function redirectsKvsRequest(ctx: RequestContext, config: RedirectsConfig): Answer | undefined | Promise<Answer | undefined> {
  const uri = ctx.request.uri;
  let rule = config.exact[uri];
  let at = -1;
  if (typeof rule === 'string') return redirectTo([rule, '?', 0], at);
  if (typeof rule === 'object' && rule.length) return redirectTo(rule, at);
  if (config.depth) {
    for (let p = 0, d = 1; ; d++) {
      if (d >= config.min) {
        const k = config.prefix[uri.slice(0, p + 1)];
        if (k !== undefined) {
          rule = k;
          at = p + 1;
        }
      }
      if (d >= config.depth || (p = uri.indexOf('/', p + 1)) < 0) break;
    }
    if (at >= 0) return redirectTo(rule as Rule, at);
  }
  // A KeyValueStore key is at most 512 bytes: a longer path is in no table.
  if (uri.length > 512) return undefined;
  return ctx.kvs(uri).then(function (value) {
    // The store is written outside the build: its value is checked here as `to` is at build.
    // `302 /new` or `/new`; a path on this site (not `//` or `/\`) or an https URL, URL characters only.
    if (typeof value !== 'string' || value.length > 1024) return undefined;
    let status = config.status;
    let target = value;
    const code = value.slice(0, 4);
    if (code === '301 ' || code === '302 ' || code === '307 ' || code === '308 ') {
      status = +value.slice(0, 3);
      target = value.slice(4);
    }
    if (!/^(\/(?![\/\\])|https:\/\/[a-z0-9.-]+(:\d+)?\/)[A-Za-z0-9\-._~!$&'()*+,;=:@%\/?]*$/.test(target)) return undefined;
    return redirectTo([target, target.indexOf('?') >= 0 ? '&' : '?', 0, status], -1);
  });

  // A function declaration inside the hook is lowered with it.
  function redirectTo(rule: Rule, at: number): Answer | undefined {
    let tail = '';
    if (rule[2] === 1) {
      tail = uri.slice(at);
      const c = tail.charCodeAt(0);
      if (c === 47 || c === 92) {
        const s = tail.search(/[^\/\\]/);
        tail = s < 0 ? '' : tail.slice(s);
      }
    }
    if (rule[1]) {
      const query = ctx.request.querystring.toString();
      if (uri.length + query.length > 2048 || (query.length > 126 && query.split('&').length > 64)) return undefined;
      if (query) tail = tail + rule[1] + query;
    }
    const status = (rule[3] || config.status) as RedirectStatus;
    if (!tail) return ctx.redirect(rule[0], status);
    try {
      tail = encodeURI(tail);
    } catch (e) {
      const fixed: string[] = [];
      let from = 0;
      for (let pos = 0; pos < tail.length; pos++) {
        const unit = tail.charCodeAt(pos);
        if (unit < 0xd800 || unit > 0xdfff) continue;
        if (unit < 0xdc00 && (tail.charCodeAt(pos + 1) & 0xfc00) === 0xdc00) {
          pos++;
          continue;
        }
        fixed.push(tail.slice(from, pos), '\ufffd');
        from = pos + 1;
      }
      fixed.push(tail.slice(from));
      tail = encodeURI(fixed.join(''));
    }
    if (tail.indexOf('%25') >= 0) tail = tail.split('%25').join('%');
    if (tail.indexOf('#') >= 0) tail = tail.split('#').join('%23');
    return ctx.redirect(rule[0] + tail, status);
  }
}
