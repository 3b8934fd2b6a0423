import { ConfigError, defineMiddleware, type Answer, type Middleware, type RequestContext, type ResponseContext } from '@edgeline/core';
import { booleanOption, knownOptions, named, repr } from '../lib/options.js';

export interface CorsOptions {
  /**
   * Who may read responses from a browser: `'*'` (anyone, no credentials), a list of exact
   * origins (`['https://app.example.com', 'http://localhost:3000']`: scheme, host and a
   * non-default port, no path), or a RegExp anchored with `^...$` matched against the `Origin`
   * header (`/^https:\/\/([a-z0-9-]+\.)*example\.com$/`). The RegExp is checked at build: a
   * pattern that could backtrack for long (`(a+)+`, `(a|a)*`, `\d+\d+`), one matching other
   * characters than an origin's (`.`, `\S`, `[^/]`: write `[a-z0-9-]`, and a dot as `\.`),
   * backreferences, lookarounds, named groups and flags other than `i` are refused.
   */
  origins: '*' | readonly string[] | RegExp;
  /** Methods a preflight allows. Default `['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'PATCH']`; `['*']` for any (not with credentials). */
  methods?: readonly string[];
  /** Request headers a preflight allows (`['content-type', 'authorization']`). Default none; `['*']` for any but Authorization (not with credentials). */
  headers?: readonly string[];
  /** Response headers scripts may read besides the CORS-safelisted ones. Default none; `['*']` for all (not with credentials). */
  exposeHeaders?: readonly string[];
  /** `Access-Control-Allow-Credentials: true` (cookies and HTTP auth on cross-origin requests). Not with `origins: '*'`. Default false. */
  credentials?: boolean;
  /** Seconds a browser may cache a preflight's answer (0-86400; browsers cap it, Chromium at 7200). Default: no header (5 seconds). */
  maxAge?: number;
}

type CorsConfig = {
  /** `origins: '*'`. */
  any: boolean;
  /** Exact origins -> 1 (a lookup compares with `=== 1`: Object.prototype names read as other values). */
  list: Record<string, number>;
  /** The RegExp's source and flags (`''` without one): a literal in the artifact. */
  re: string;
  flags: string;
  /** The preflight answer's Access-Control-Allow-Methods, -Allow-Headers and -Max-Age (`''`: no such header). */
  methods: string;
  headers: string;
  maxAge: string;
  /** `access-control-expose-headers` on responses, `''` for none. */
  expose: string;
  credentials: boolean;
};

const OPTIONS = ['origins', 'methods', 'headers', 'exposeHeaders', 'credentials', 'maxAge'];
const DEFAULT_METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'PATCH'];
// The response hook runs at origin-response on Lambda@Edge (the headers are cached with the
// object, and reach error responses, after which Lambda@Edge runs no viewer-response) and at
// viewer-response on CloudFront Functions, as securityHeaders.
const WHERE = ['origin-response', 'viewer-response'] as const;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const SCHEME = /^[a-z][a-z0-9+.-]*$/;
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const DEFAULT_PORTS: Record<string, string> = { http: '80', https: '443', ws: '80', wss: '443' };
/**
 * An Origin header longer than this is allowed by no list or pattern (a serialized origin is a
 * scheme, a host of at most 253 characters and a port): a huge value costs no lookup or match.
 */
export const MAX_ORIGIN = 300;

/**
 * Cross-origin resource sharing. A preflight (`OPTIONS` with `Origin` and
 * `Access-Control-Request-Method`) is answered at viewer-request: 204 with the
 * Access-Control-Allow-* headers when the origin is allowed, 403 without CORS headers when it is
 * not (the origin server never sees it, so its own CORS rules cannot grant more). Other responses
 * get Access-Control-Allow-Origin (and -Expose-Headers, -Allow-Credentials) when the request's
 * Origin is allowed; any such header from the origin server is removed when it is not. Unless
 * `origins` is `'*'`, responses get `Vary: Origin` (added to the origin's Vary).
 *
 * On Lambda@Edge the response hook runs at origin-response, where CloudFront caches what it
 * adds: unless `origins` is `'*'`, the cache policy must include the Origin header (so each
 * origin gets its own cached copy and the origin-response event sees the header).
 * @example edge().use(cors({ origins: ['https://app.example.com'], headers: ['content-type'], credentials: true, maxAge: 600 }))
 * @see https://developer.mozilla.org/en-US/docs/Web/HTTP/CORS
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/header-caching.html#header-caching-web-cors
 */
export function cors(options: CorsOptions): Middleware<never> {
  return named('cors', () => build(options));
}

function build(options: CorsOptions): Middleware<never> {
  const o = knownOptions(options, OPTIONS, 'cors');
  const credentials = booleanOption('credentials', o.credentials, false);
  const config: CorsConfig = { any: false, list: {}, re: '', flags: '', methods: '', headers: '', maxAge: '', expose: '', credentials };
  const origins = o.origins;
  if (origins === '*') {
    if (credentials) throw new ConfigError('credentials', "browsers refuse credentials with 'Access-Control-Allow-Origin: *': list the origins (or give a RegExp) instead of '*'");
    config.any = true;
  } else if (origins instanceof RegExp) {
    const { source, flags } = safeOriginPattern('origins', origins);
    config.re = source;
    config.flags = flags;
  } else if (Array.isArray(origins)) {
    if (!origins.length) throw new ConfigError('origins', "expected '*', a non-empty list of origins or a RegExp, got an empty list");
    origins.forEach((raw: unknown, i: number) => {
      const origin = originOption(`origins[${i}]`, raw);
      if (config.list[origin]) throw new ConfigError(`origins[${i}]`, `'${origin}' is in the list twice`);
      config.list[origin] = 1;
    });
  } else {
    throw new ConfigError('origins', `expected '*', a list of origins such as ['https://app.example.com'] or a RegExp, got ${repr(origins)}`);
  }
  config.methods = tokenList('methods', o.methods === undefined ? DEFAULT_METHODS : o.methods, credentials, false);
  if (o.headers !== undefined) config.headers = tokenList('headers', o.headers, credentials, true);
  if (o.exposeHeaders !== undefined) config.expose = tokenList('exposeHeaders', o.exposeHeaders, credentials, true);
  if (o.maxAge !== undefined) {
    const m = o.maxAge;
    if (typeof m !== 'number' || !Number.isInteger(m) || m < 0 || m > 86400) throw new ConfigError('maxAge', `expected whole seconds from 0 to 86400, got ${repr(m)}`);
    config.maxAge = String(m);
  }
  return defineMiddleware<never, CorsConfig>({
    name: 'cors',
    needs: [],
    config,
    request: corsRequest,
    response: corsResponse,
    runsAt: { response: WHERE },
    warnings: config.any ? [] : ["on Lambda@Edge CORS headers are added at origin-response and cached: the cache policy must include the Origin header (each origin gets its own copy, and the function sees the header)"],
  });
}

/** `scheme://host[:port]` as a browser serializes it: lower case, no default port, no path. */
function originOption(option: string, value: unknown): string {
  if (typeof value !== 'string' || !value) throw new ConfigError(option, `expected an origin such as 'https://app.example.com', got ${repr(value)}`);
  if (value === '*') throw new ConfigError(option, "'*' is not an origin: give origins: '*' alone");
  if (value === 'null') throw new ConfigError(option, "'null' is the origin of sandboxed frames, file: pages and redirects: any site can make a browser send it, so allowing it allows everyone");
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(.*)$/.exec(value);
  if (!m) throw new ConfigError(option, `'${value}' is not an origin: expected scheme://host[:port] such as 'https://app.example.com'`);
  if (m[3]) throw new ConfigError(option, `'${value}': an origin has no path, query or trailing slash (browsers send '${m[1]}://${m[2]}')`);
  const scheme = m[1].toLowerCase();
  const authority = m[2].toLowerCase();
  const hp = /^(\[[0-9a-f:.]+\]|[^:@\[\]]+)(?::(\d{1,5}))?$/.exec(authority);
  if (!hp) throw new ConfigError(option, `'${value}': '${m[2]}' is not a host with an optional port (no user info, no '*': for subdomains give a RegExp)`);
  const host = hp[1];
  const port = hp[2];
  if (host.charAt(0) !== '[' && (host.length > 253 || !host.split('.').every((label) => LABEL.test(label)))) {
    throw new ConfigError(option, `'${value}': '${host}' is not a host name (write international names in punycode, 'xn--...'; for subdomains give a RegExp)`);
  }
  if (port !== undefined) {
    if (+port < 1 || +port > 65535 || port.charAt(0) === '0') throw new ConfigError(option, `'${value}': '${port}' is not a port`);
    if (DEFAULT_PORTS[scheme] === port) throw new ConfigError(option, `'${value}': browsers leave the default port out: write '${scheme}://${host}'`);
  }
  if (!SCHEME.test(scheme)) throw new ConfigError(option, `'${value}' is not an origin`);
  return `${scheme}://${host}${port === undefined ? '' : ':' + port}`;
}

/** Methods or header names joined with `, `; `'*'` alone (not with credentials), duplicates once. */
function tokenList(option: string, value: unknown, credentials: boolean, lower: boolean): string {
  if (!Array.isArray(value) || !value.length) throw new ConfigError(option, `expected a non-empty list of ${option === 'methods' ? 'methods' : 'header names'}, got ${repr(value)}`);
  const out: string[] = [];
  value.forEach((raw: unknown, i: number) => {
    if (typeof raw !== 'string' || !TOKEN.test(raw)) throw new ConfigError(`${option}[${i}]`, `expected a ${option === 'methods' ? 'method' : 'header name'} (an HTTP token), got ${repr(raw)}`);
    const v = lower ? raw.toLowerCase() : raw;
    if (out.indexOf(v) < 0) out.push(v);
  });
  if (out.indexOf('*') >= 0) {
    if (out.length > 1) throw new ConfigError(option, "'*' means any: give it alone");
    if (credentials) throw new ConfigError(option, "browsers read '*' literally (not as any) on requests with credentials: list the names");
  }
  return out.join(', ');
}

// ---------------------------------------------------------------------------------------------
// The RegExp check. A backtracking engine (njs's PCRE2, V8) takes time exponential or polynomial
// in the input for an ambiguous pattern: one where a string can be matched in many ways. The
// pattern is parsed into a safe subset and its Glushkov automaton (one state per character
// class) is checked: every repetition's body is not nullable and adds no transition its body
// already has (`(a+)+`: the "star normal form"), and the automaton has neither exponential
// ambiguity (a state with two cycles over the same word: `(a|a)*`) nor, conservatively,
// polynomial ambiguity (`\d+\d+`). Without those the backtracking is linear in the input.

type Node =
  | { t: 'set'; r: number[] }
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; items: Node[] }
  | { t: 'rep'; node: Node; min: number; max: number };

const ALL = [0, 0xffff];
const DIGIT = [48, 57];
const WORD = [48, 57, 65, 90, 95, 95, 97, 122];
const SPACE = [9, 13, 32, 32, 160, 160, 0x1680, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f, 0x202f, 0x205f, 0x205f, 0x3000, 0x3000, 0xfeff, 0xfeff];
const DOT = [0, 9, 11, 12, 14, 0x2027, 0x202a, 0xffff];
/** The characters of a serialized origin: scheme, host (and IPv6 brackets), port. */
const ORIGIN_CHAR = /^[A-Za-z0-9+.\-:/\[\]_]$/;
/** Positions the check accepts: a pattern for origins needs a few dozen. */
const MAX_POSITIONS = 120;

function safeOriginPattern(option: string, re: RegExp): { source: string; flags: string } {
  const { source, flags } = re;
  for (const f of flags) {
    if (f !== 'i') throw new ConfigError(option, `flag '${f}' is not allowed (only 'i'): ${f === 'g' || f === 'y' ? 'it makes test() remember where it stopped' : 'CloudFront Functions 1.0 does not know it, or it changes what ^ and $ match'}`);
  }
  if (source.charAt(0) !== '^' || source.charAt(source.length - 1) !== '$' || /(^|[^\\])(\\\\)*\\\$$/.test(source)) {
    throw new ConfigError(option, `/${source}/ must be anchored: start with ^ and end with $ (unanchored, /example\\.com/ also matches https://example.com.evil.net)`);
  }
  const ast = new Parser(source.slice(1, -1), option).parse();
  if (ast.t === 'alt') throw new ConfigError(option, `/${source}/: ^ and $ bind to the first and last alternative only: write /^(${source.slice(1, -1)})$/`);
  checkUnambiguous(option, source, ast, flags.indexOf('i') >= 0);
  return { source, flags };
}

class Parser {
  i = 0;
  constructor(
    readonly s: string,
    readonly option: string,
  ) {}

  fail(why: string): never {
    throw new ConfigError(this.option, `/^${this.s}$/: ${why}`);
  }

  parse(): Node {
    const n = this.alt();
    if (this.i < this.s.length) this.fail(this.s.charAt(this.i) === ')' ? "unmatched ')'" : `unexpected '${this.s.charAt(this.i)}'`);
    return n;
  }

  alt(): Node {
    const items = [this.seq()];
    while (this.s.charAt(this.i) === '|') {
      this.i++;
      items.push(this.seq());
    }
    return items.length === 1 ? items[0] : { t: 'alt', items };
  }

  seq(): Node {
    const items: Node[] = [];
    while (this.i < this.s.length && this.s.charAt(this.i) !== '|' && this.s.charAt(this.i) !== ')') items.push(this.term());
    return items.length === 1 ? items[0] : { t: 'seq', items };
  }

  term(): Node {
    const atom = this.atom();
    const c = this.s.charAt(this.i);
    let min = 1;
    let max = 1;
    if (c === '*' || c === '+' || c === '?') {
      this.i++;
      min = c === '+' ? 1 : 0;
      max = c === '?' ? 1 : Infinity;
    } else if (c === '{') {
      const m = /^\{(\d{1,4})(,(\d{0,4}))?\}/.exec(this.s.slice(this.i));
      if (!m) this.fail("'{' that is not a quantifier such as {2,5}: escape it");
      this.i += m[0].length;
      min = +m[1];
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : +m[3];
      if (max < min) this.fail(`${m[0]}: the minimum is above the maximum`);
      if (max === 0) this.fail(`${m[0]} matches nothing: leave the part out`);
    } else {
      return atom;
    }
    if (this.s.charAt(this.i) === '?') this.i++; // lazy: the same strings, the same ambiguity
    const next = this.s.charAt(this.i);
    if (next === '*' || next === '+' || next === '?' || next === '{') this.fail('a quantifier after a quantifier');
    return { t: 'rep', node: atom, min, max };
  }

  atom(): Node {
    const s = this.s;
    const c = s.charAt(this.i);
    if (c === '(') {
      this.i++;
      if (s.charAt(this.i) === '?') {
        const kind = s.slice(this.i, this.i + 3);
        if (kind.slice(0, 2) === '?:') this.i += 2;
        else if (kind === '?<=' || kind === '?<!') this.fail('lookbehind is not allowed (CloudFront Functions 1.0 does not know it)');
        else if (kind.slice(0, 2) === '?<') this.fail('named groups are not allowed (CloudFront Functions 1.0 does not know them): write (...) or (?:...)');
        else if (kind.slice(0, 2) === '?=' || kind.slice(0, 2) === '?!') this.fail('lookahead is not allowed: the check admits plain patterns only');
        else this.fail(`'(${kind}' is not a group this check knows`);
      }
      const n = this.alt();
      if (s.charAt(this.i) !== ')') this.fail("unclosed '('");
      this.i++;
      // (A group around an alternation is a sequence of one: only a bare alternation is top-level.)
      return n.t === 'alt' ? { t: 'seq', items: [n] } : n;
    }
    if (c === '[') return this.klass();
    if (c === '.') {
      this.i++;
      return { t: 'set', r: DOT };
    }
    if (c === '\\') return { t: 'set', r: this.escape(false) };
    if (c === '^' || c === '$') this.fail(`'${c}' only at the start and the end of the pattern (for alternatives, write /^(a|b)$/)`);
    if (c === '*' || c === '+' || c === '?' || c === '{') this.fail(`nothing to repeat before '${c}'`);
    if (c === ']' || c === '}') this.fail(`a bare '${c}': escape it`);
    return { t: 'set', r: this.literal() };
  }

  literal(): number[] {
    const code = this.s.charCodeAt(this.i++);
    if (code > 0x7e || code < 0x20) this.fail('only printable ASCII characters (origins are ASCII: write international names in punycode)');
    return [code, code];
  }

  /** After `\`: a class escape or one character, as ranges. */
  escape(inClass: boolean): number[] {
    const s = this.s;
    this.i++;
    const c = s.charAt(this.i++);
    switch (c) {
      case 'd': return DIGIT;
      case 'D': return complement(DIGIT);
      case 'w': return WORD;
      case 'W': return complement(WORD);
      case 's': return SPACE;
      case 'S': return complement(SPACE);
      case 't': return [9, 9];
      case 'n': return [10, 10];
      case 'v': return [11, 11];
      case 'f': return [12, 12];
      case 'r': return [13, 13];
      case 'x':
      case 'u': {
        const len = c === 'x' ? 2 : 4;
        const hex = s.slice(this.i, this.i + len);
        if (!/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== len) this.fail(`'\\${c}' needs ${len} hex digits`);
        this.i += len;
        const code = parseInt(hex, 16);
        if (code > 0x7e) this.fail('only ASCII characters (origins are ASCII: write international names in punycode)');
        return [code, code];
      }
      case 'b':
      case 'B':
        if (inClass && c === 'b') return [8, 8];
        return this.fail('word boundaries (\\b, \\B) are not allowed: spell out the characters');
      case '':
        return this.fail('a trailing backslash');
      default:
        if (/[1-9]/.test(c)) this.fail('backreferences are not allowed (they make matching exponential)');
        if (c === 'k') this.fail('named backreferences are not allowed');
        if (c === 'p' || c === 'P') this.fail('\\p{...} needs the u flag, which CloudFront Functions 1.0 does not know');
        if (/[A-Za-z0-9]/.test(c)) this.fail(`'\\${c}' is not an escape this check knows`);
        this.i--;
        return this.literal();
    }
  }

  klass(): Node {
    const s = this.s;
    this.i++;
    const negate = s.charAt(this.i) === '^';
    if (negate) this.i++;
    let r: number[] = [];
    let first = true;
    while (s.charAt(this.i) !== ']') {
      if (this.i >= s.length) this.fail("unclosed '['");
      const lo = this.classAtom(first);
      first = false;
      if (s.charAt(this.i) === '-' && s.charAt(this.i + 1) !== ']' && this.i + 1 < s.length) {
        this.i++;
        const hi = this.classAtom(false);
        if (lo.length !== 2 || hi.length !== 2 || lo[0] !== lo[1] || hi[0] !== hi[1]) this.fail('a range between classes (such as [\\d-z]): escape the -');
        if (hi[0] < lo[0]) this.fail('a range out of order');
        r = union(r, [lo[0], hi[0]]);
      } else {
        r = union(r, lo);
      }
    }
    this.i++;
    if (!r.length) this.fail(negate ? "'[^]' matches anything: write the characters an origin holds" : "'[]' matches nothing");
    return { t: 'set', r: negate ? complement(r) : r };
  }

  classAtom(first: boolean): number[] {
    void first;
    if (this.s.charAt(this.i) === '\\') return this.escape(true);
    return this.literal();
  }
}

/** Sorted, merged `[lo, hi, lo, hi, ...]`. */
function union(a: number[], b: number[]): number[] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < a.length; i += 2) pairs.push([a[i], a[i + 1]]);
  for (let i = 0; i < b.length; i += 2) pairs.push([b[i], b[i + 1]]);
  pairs.sort((x, y) => x[0] - y[0]);
  const out: number[] = [];
  for (const [lo, hi] of pairs) {
    if (out.length && lo <= out[out.length - 1] + 1) out[out.length - 1] = Math.max(out[out.length - 1], hi);
    else out.push(lo, hi);
  }
  return out;
}

function complement(r: number[]): number[] {
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < r.length; i += 2) {
    if (r[i] > next) out.push(next, r[i] - 1);
    next = r[i + 1] + 1;
  }
  if (next <= 0xffff) out.push(next, 0xffff);
  return out;
}

function intersects(a: number[], b: number[]): boolean {
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    if (a[i + 1] < b[j]) i += 2;
    else if (b[j + 1] < a[i]) j += 2;
    else return true;
  }
  return false;
}

/** With the i flag, ASCII letters match both cases. */
function fold(r: number[]): number[] {
  let out = r;
  for (let i = 0; i < r.length; i += 2) {
    const lo = Math.max(r[i], 65);
    const hi = Math.min(r[i + 1], 90);
    if (lo <= hi) out = union(out, [lo + 32, hi + 32]);
    const lo2 = Math.max(r[i], 97);
    const hi2 = Math.min(r[i + 1], 122);
    if (lo2 <= hi2) out = union(out, [lo2 - 32, hi2 - 32]);
  }
  return out;
}

interface Part {
  first: number[];
  last: number[];
  nullable: boolean;
}

function checkUnambiguous(option: string, source: string, ast: Node, icase: boolean): void {
  const sets: number[][] = [];
  const follow: Set<number>[] = [];
  const fail = (why: string): never => {
    throw new ConfigError(option, `/${source}/ ${why}`);
  };

  function glushkov(n: Node): Part {
    switch (n.t) {
      case 'set': {
        const p = sets.length;
        if (p >= MAX_POSITIONS) fail(`is too long for the backtracking check (${MAX_POSITIONS} characters and classes, counting repetitions {n,m} once per count)`);
        sets.push(icase ? fold(n.r) : n.r);
        follow.push(new Set());
        return { first: [p], last: [p], nullable: false };
      }
      case 'seq': {
        let acc: Part = { first: [], last: [], nullable: true };
        for (const item of n.items) acc = concat(acc, glushkov(item));
        return acc;
      }
      case 'alt': {
        const parts = n.items.map(glushkov);
        return { first: parts.flatMap((x) => x.first), last: parts.flatMap((x) => x.last), nullable: parts.some((x) => x.nullable) };
      }
      case 'rep': {
        // x{n,m}: n copies, then m - n nested optional ones (x(x(x)?)?)?, as a counted loop runs;
        // an unbounded x{n,} is n - 1 copies then x+.
        const { node, min, max } = n;
        let acc: Part = { first: [], last: [], nullable: true };
        const copies = max === Infinity ? Math.max(min - 1, 0) : min;
        for (let k = 0; k < copies; k++) acc = concat(acc, glushkov(node));
        if (max === Infinity) {
          const body = glushkov(node);
          if (body.nullable) fail('repeats a part that can match the empty string (such as (a*)*): its matching can take exponential time');
          for (const l of body.last) {
            for (const f of body.first) {
              if (follow[l].has(f)) fail('nests quantifiers (such as (a+)+ or (a+b?)*): a string matches in exponentially many ways and a failing match backtracks through all of them');
              follow[l].add(f);
            }
          }
          acc = concat(acc, min === 0 ? { ...body, nullable: true } : body);
        } else if (max > min) {
          acc = concat(acc, optional(node, max - min));
        }
        return acc;
      }
    }
  }

  function optional(node: Node, count: number): Part {
    const head = glushkov(node);
    if (head.nullable && count > 1) fail('repeats a part that can match the empty string: its matching can take exponential time');
    const rest = count > 1 ? optional(node, count - 1) : undefined;
    const part = rest ? concat(head, rest) : head;
    return { ...part, nullable: true };
  }

  function concat(a: Part, b: Part): Part {
    for (const l of a.last) for (const f of b.first) follow[l].add(f);
    return {
      first: a.nullable ? [...a.first, ...b.first] : a.first,
      last: b.nullable ? [...a.last, ...b.last] : b.last,
      nullable: a.nullable && b.nullable,
    };
  }

  glushkov(ast);
  const n = sets.length;
  // The matched value is sent back in Access-Control-Allow-Origin: the pattern may match the
  // characters of a serialized origin only (this also catches the unescaped '.' of app.example.com).
  for (const set of sets) {
    for (let i = 0; i < set.length; i += 2) {
      for (let c = set[i]; c <= set[i + 1]; c++) {
        if (!ORIGIN_CHAR.test(String.fromCharCode(c))) {
          fail(`matches characters no origin holds (${c < 33 || c > 126 ? `U+${c.toString(16).toUpperCase().padStart(4, '0')}` : `'${String.fromCharCode(c)}'`}): '.', \\S or a class such as [^/] match anything; write the characters out ([a-z0-9-]) and a dot as \\.`);
        }
      }
    }
  }
  // The pair graph: (p, q) -> (p', q') when p' follows p, q' follows q and some character leads
  // to both (node id p * n + q). A path from (p, p) to (p, q) is a word read from p both back to
  // p and to q.
  const out: number[][] = [];
  const into: number[][] = [];
  for (let id = 0; id < n * n; id++) {
    out.push([]);
    into.push([]);
  }
  const next = follow.map((f) => [...f]);
  for (let p = 0; p < n; p++) {
    for (let q = 0; q < n; q++) {
      for (const a of next[p]) {
        for (const b of next[q]) {
          if (a === b || intersects(sets[a], sets[b])) {
            out[p * n + q].push(a * n + b);
            into[a * n + b].push(p * n + q);
          }
        }
      }
    }
  }
  const reach = (from: number, graph: number[][]): Uint8Array => {
    const seen = new Uint8Array(n * n);
    const stack = [from];
    while (stack.length) {
      for (const t of graph[stack.pop() as number]) {
        if (!seen[t]) {
          seen[t] = 1;
          stack.push(t);
        }
      }
    }
    return seen;
  };
  const from: Uint8Array[] = [];
  const to: Uint8Array[] = [];
  for (let p = 0; p < n; p++) {
    from.push(reach(p * n + p, out));
    to.push(reach(p * n + p, into));
  }
  for (let p = 0; p < n; p++) {
    for (let id = 0; id < n * n; id++) {
      // Exponential: (p, p) and a pair of two states on one cycle of the pair graph, i.e. p has
      // two different cycles over the same word.
      if (id % (n + 1) !== 0 && from[p][id] && to[p][id]) {
        fail('is ambiguous (such as (a|a)* or (a|b|ab)*): a string matches in exponentially many ways and a failing match backtracks through all of them');
      }
    }
  }
  for (let p = 0; p < n; p++) {
    for (let q = 0; q < n; q++) {
      // Polynomial: p reads a word back to p and to q, and q reads one back to q (checked with
      // any word: conservative).
      if (p !== q && from[p][p * n + q] && to[q][p * n + q]) {
        fail('is ambiguous (such as \\d+\\d+ or [a-z]*-?[a-z]*): two repetitions can take the same characters, so a failing match backtracks polynomially long; make the parts exclusive (separate them with a character neither repeats)');
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The hooks, lowered as source text (ES5 on CloudFront Functions 1.0): only their parameters.

function corsRequest(ctx: RequestContext, config: CorsConfig): Answer | undefined {
  if (ctx.request.method !== 'OPTIONS') return undefined;
  const h = ctx.request.headers;
  // A preflight carries both; an OPTIONS request without them is an ordinary request.
  if (!h.has('access-control-request-method') || !h.has('origin')) return undefined;
  // (`|| ''` only types the value as a string: an empty Origin is matched as before.)
  const origin = h.get('origin') || '';
  // Of a sensible length, matching the pattern (which the build made sure matches origin
  // characters only: the value is sent back) or listed. Browsers send one Origin; of several,
  // the first is the one checked and sent back.
  if (!config.any && (origin.length > 300 || !(config.re !== '' ? new RegExp(config.re, config.flags).test(origin) : config.list[origin] === 1))) {
    return ctx.respond({ status: 403 });
  }
  // One literal answer per combination of the optional headers: the build keeps the one the
  // options chose, which becomes the response object itself. Vary: Origin unless '*'.
  if (config.any) {
    if (config.headers !== '' && config.maxAge !== '') return ctx.respond({ status: 204, headers: { 'access-control-allow-origin': '*', 'access-control-allow-methods': config.methods, 'access-control-allow-headers': config.headers, 'access-control-max-age': config.maxAge } });
    if (config.headers !== '') return ctx.respond({ status: 204, headers: { 'access-control-allow-origin': '*', 'access-control-allow-methods': config.methods, 'access-control-allow-headers': config.headers } });
    if (config.maxAge !== '') return ctx.respond({ status: 204, headers: { 'access-control-allow-origin': '*', 'access-control-allow-methods': config.methods, 'access-control-max-age': config.maxAge } });
    return ctx.respond({ status: 204, headers: { 'access-control-allow-origin': '*', 'access-control-allow-methods': config.methods } });
  }
  if (config.credentials) {
    if (config.headers !== '' && config.maxAge !== '') return ctx.respond({ status: 204, headers: { 'access-control-allow-origin': origin, 'access-control-allow-methods': config.methods, 'access-control-allow-headers': config.headers, 'access-control-max-age': config.maxAge, 'access-control-allow-credentials': 'true', vary: 'Origin' } });
    if (config.headers !== '') return ctx.respond({ status: 204, headers: { 'access-control-allow-origin': origin, 'access-control-allow-methods': config.methods, 'access-control-allow-headers': config.headers, 'access-control-allow-credentials': 'true', vary: 'Origin' } });
    if (config.maxAge !== '') return ctx.respond({ status: 204, headers: { 'access-control-allow-origin': origin, 'access-control-allow-methods': config.methods, 'access-control-max-age': config.maxAge, 'access-control-allow-credentials': 'true', vary: 'Origin' } });
    return ctx.respond({ status: 204, headers: { 'access-control-allow-origin': origin, 'access-control-allow-methods': config.methods, 'access-control-allow-credentials': 'true', vary: 'Origin' } });
  }
  if (config.headers !== '' && config.maxAge !== '') return ctx.respond({ status: 204, headers: { 'access-control-allow-origin': origin, 'access-control-allow-methods': config.methods, 'access-control-allow-headers': config.headers, 'access-control-max-age': config.maxAge, vary: 'Origin' } });
  if (config.headers !== '') return ctx.respond({ status: 204, headers: { 'access-control-allow-origin': origin, 'access-control-allow-methods': config.methods, 'access-control-allow-headers': config.headers, vary: 'Origin' } });
  if (config.maxAge !== '') return ctx.respond({ status: 204, headers: { 'access-control-allow-origin': origin, 'access-control-allow-methods': config.methods, 'access-control-max-age': config.maxAge, vary: 'Origin' } });
  return ctx.respond({ status: 204, headers: { 'access-control-allow-origin': origin, 'access-control-allow-methods': config.methods, vary: 'Origin' } });
}

function corsResponse(ctx: ResponseContext, config: CorsConfig): void {
  const rh = ctx.response.headers;
  if (config.any) {
    rh.set('access-control-allow-origin', '*');
    if (config.expose !== '') rh.set('access-control-expose-headers', config.expose);
  } else {
    // Vary: Origin, added to the origin's Vary (kept as it is when it names Origin or is `*`).
    if (!rh.has('vary')) rh.set('vary', 'Origin');
    else {
      const vary = rh.getAll('vary');
      const t = (',' + vary.join(',').toLowerCase() + ',').replace(/[ \t]/g, '');
      if (t.indexOf(',origin,') < 0 && t.indexOf(',*,') < 0) rh.set('vary', vary.join(', ') + ', Origin');
    }
    const origin = ctx.request.headers.get('origin') || '';
    if (ctx.request.headers.has('origin') && origin.length <= 300 && (config.re !== '' ? new RegExp(config.re, config.flags).test(origin) : config.list[origin] === 1)) {
      rh.set('access-control-allow-origin', origin);
      if (config.credentials) rh.set('access-control-allow-credentials', 'true');
      if (config.expose !== '') rh.set('access-control-expose-headers', config.expose);
    } else {
      // The edge decides: a grant the origin server sent for another origin goes.
      rh.delete('access-control-allow-origin');
      rh.delete('access-control-allow-credentials');
    }
  }
}
