import { parse } from 'acorn';

interface N {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

/**
 * What a value proven not to throw is, as far as the proof needs to know: a string or a number
 * can be the receiver of a string method or an argument that is converted; `maybe-string` is a
 * header, cookie or parameter read (a string, or undefined when absent); `crypto` is
 * `require('crypto')` and `hash` what its createHash/createHmac return; `strings` is what
 * `split` returns. A `map` (the headers,
 * query string or cookies themselves) has keys the viewer or the origin chose, `toString`
 * among them: converting one to a primitive may throw, so it never is. An `entry` is what one of
 * them holds under a literal name: `{ value, multiValue? }` of the event's, or undefined.
 * `strings` is an array of strings only (no holes), `array` one of convertible values; an
 * `object` may be undefined or null, a `present` one (or `present-entry`) is proven not to be.
 */
type Kind = 'string' | 'maybe-string' | 'number' | 'primitive' | 'strings' | 'array' | 'object' | 'present' | 'entry' | 'present-entry' | 'map' | 'crypto' | 'hash';

/** Fields CloudFront always gives as a string (or a number) in a viewer event. */
const FIELDS: Record<string, Kind> = {
  '__r.uri': 'string',
  '__r.method': 'string',
  '__e.viewer.ip': 'string',
  '__e.context.eventType': 'string',
  '__e.context.requestId': 'string',
  '__e.context.distributionId': 'string',
  '__e.context.distributionDomainName': 'string',
  '__s.statusCode': 'number',
};

/** String methods that cannot throw on a string, given primitive arguments (no RegExp where a string is read). */
const STRING_METHODS: Record<string, Kind> = {
  indexOf: 'number',
  lastIndexOf: 'number',
  charCodeAt: 'number',
  charAt: 'string',
  slice: 'string',
  substring: 'string',
  substr: 'string',
  toLowerCase: 'string',
  toUpperCase: 'string',
  trim: 'string',
  concat: 'string',
  startsWith: 'primitive',
  endsWith: 'primitive',
  includes: 'primitive',
};
const NUMBER_FUNCTIONS = new Set(['Math.random', 'parseInt', 'parseFloat', 'Number', 'isNaN', 'Math.floor', 'Math.ceil', 'Math.round', 'Math.abs', 'Math.min', 'Math.max']);
const HASHES = new Set(['md5', 'sha1', 'sha256']);
const DIGESTS = new Set(['hex', 'base64', 'base64url']);
const PRIMITIVE: ReadonlySet<Kind> = new Set<Kind>(['string', 'maybe-string', 'number', 'primitive']);
/** Kinds that convert to a primitive without running code of the event's or a module's. */
const CONVERTIBLE: ReadonlySet<Kind> = new Set<Kind>([...PRIMITIVE, 'strings', 'array', 'object', 'present', 'entry', 'present-entry']);
/** What a truthy test proves of a local of each kind. */
const PRESENT: Partial<Record<Kind, Kind>> = { 'maybe-string': 'string', object: 'present', entry: 'present-entry' };

/** The kind of a value that is one of two. */
function either(a: Kind, b: Kind): Kind {
  if (a === b) return a;
  if (PRIMITIVE.has(a) && PRIMITIVE.has(b)) return 'primitive';
  return CONVERTIBLE.has(a) && CONVERTIBLE.has(b) ? 'object' : 'map';
}

/**
 * Whether a derived CloudFront Functions hook (derive-cff.ts) cannot throw on any event the
 * service sends: then it needs no try/catch, and a lone one becomes the handler's body, as a
 * hand-written function is. Deliberately narrow: straight-line code over the event's own
 * objects (which CloudFront always gives: request headers, query string and cookies, response
 * headers), literals, operators, string methods on values known to be strings (the URI, the
 * viewer's IP, a local set once from one), and hashing a string with `crypto`. Anything else
 * (a call on another value, encodeURIComponent, a loop, a nested function) may throw.
 */
export function cannotThrow(source: string): boolean {
  let fn: N;
  try {
    fn = ((parse(`(${source})`, { ecmaVersion: 'latest' }) as unknown as { body: N[] }).body[0] as N).expression as N;
  } catch {
    return false;
  }
  if (fn.type !== 'FunctionExpression') return false;
  // First with each local's declared kind kept (every assignment checked against it, tests narrowing
  // it); failing that, as a local set again were any primitive or plain object, unnarrowed.
  // An empty array literal is first taken for an array of strings; a local given anything else
  // by `push` is tried again as an array of any convertible values.
  const demoted = new Set<string>();
  for (let round = 0; round < 8; round++) {
    const before = demoted.size;
    if (proves(fn, `(${source})`, false, demoted)) return true;
    if (demoted.size === before) break;
  }
  return proves(fn, `(${source})`, true, demoted);
}

function proves(fn: N, text: string, loose: boolean, demoted: Set<string>): boolean {
  const src = (n: N) => text.slice(n.start, n.end);
  const params = new Set((fn.params as N[]).map((p) => p.name as string));
  const reassigned = assignedNames(fn.body as N);
  /** Locals in scope, with the kind they were declared with (loose: a reassigned one is only a primitive or a plain object). */
  let locals = new Map<string, Kind>();
  /** Inside the block of a try whose catch handles what it throws. */
  let inTry = false;
  /** `a[i]` read in a loop `for (let i = 0; i < a.length; i++)` that sets neither: an element. */
  let inBounds = new Set<string>();
  /** Locals declared from an array literal. */
  const literalArrays = new Set<string>();

  /** Objects CloudFront always gives, so reading a property of one cannot throw. */
  const objectOf = (n: N): boolean => {
    if (n.type === 'Identifier') return params.has(n.name as string) || /^CONFIG_[\w$]+$/.test(n.name as string);
    if (n.type === 'ObjectExpression') return true;
    return /^__[rs]\.(headers|querystring|cookies)$|^__e\.(viewer|context)$/.test(src(n)) && src(n) !== '__s.cookies' && src(n) !== '__s.querystring';
  };

  /** What `n` is when it cannot throw, else undefined. */
  const kind = (n: N | null | undefined): Kind | undefined => {
    if (!n) return 'primitive';
    switch (n.type) {
      case 'Literal':
        return typeof n.value === 'string' ? 'string' : typeof n.value === 'number' ? 'number' : n.regex ? 'object' : 'primitive';
      case 'Identifier':
        if (params.has(n.name as string)) return 'object';
        if (n.name === 'undefined') return 'primitive';
        return locals.get(n.name as string);
      case 'TemplateLiteral':
        return (n.expressions as N[]).every(convertible) ? 'string' : undefined;
      case 'ObjectExpression':
        // No `toString`/`valueOf` keys: a non-callable one makes converting the object throw.
        return (n.properties as N[]).every(
          (p) => p.type === 'Property' && !p.computed && p.kind === 'init' && !/^["']?(toString|valueOf)["']?$/.test(src(p.key as N)) && kind(p.value as N) !== undefined,
        )
          ? 'object'
          : undefined;
      case 'ArrayExpression': {
        // Converting an array converts its elements.
        const kinds = (n.elements as N[]).map((e) => (e && e.type !== 'SpreadElement' ? kind(e) : undefined));
        if (!kinds.every(Boolean)) return undefined;
        if (kinds.every((k) => k === 'string')) return 'strings';
        return kinds.every((k) => CONVERTIBLE.has(k as Kind)) ? 'array' : 'map';
      }
      case 'BinaryExpression':
        return binary(n);
      case 'LogicalExpression':
        return logical(n);
      case 'ConditionalExpression': {
        if (valueCount(n)) return 'number';
        const t = kind(n.test as N);
        const a = narrowed(n.test as N, () => kind(n.consequent as N));
        const b = within(negations(n.test as N), () => kind(n.alternate as N));
        return t && a && b ? either(a, b) : undefined;
      }
      case 'UpdateExpression': {
        // `i++` on a number (or a primitive) local: a number, which the local may hold.
        const arg = n.argument as N;
        const declared = arg.type === 'Identifier' ? locals.get(arg.name as string) : undefined;
        return declared === 'number' || declared === 'primitive' ? 'number' : undefined;
      }
      case 'SequenceExpression': {
        const kinds = (n.expressions as N[]).map(kind);
        return kinds.every(Boolean) ? kinds[kinds.length - 1] : undefined;
      }
      case 'UnaryExpression':
        if (n.operator === 'delete') return member(n.argument as N) ? 'primitive' : undefined;
        if (n.operator === 'typeof' || n.operator === 'void' || n.operator === '!') return kind(n.argument as N) ? 'primitive' : undefined;
        return convertible(n.argument as N) ? 'number' : undefined;
      case 'MemberExpression':
        return read(n);
      case 'AssignmentExpression':
        return assignment(n);
      case 'CallExpression':
        return call(n);
      case 'AwaitExpression':
        return awaited(n.argument as N);
      default:
        return undefined;
    }
  };
  const convertible = (n: N): boolean => CONVERTIBLE.has(kind(n) as Kind);

  const binary = (n: N): Kind | undefined => {
    if (n.operator === 'in' || n.operator === 'instanceof') return undefined;
    const [a, b] = [kind(n.left as N), kind(n.right as N)];
    if (!a || !b) return undefined;
    if (n.operator === '===' || n.operator === '!==') return 'primitive';
    // Anything else may convert its operands: plain objects and primitives only.
    if (!CONVERTIBLE.has(a) || !CONVERTIBLE.has(b)) return undefined;
    if (n.operator === '==' || n.operator === '!=') return 'primitive';
    if (n.operator === '+') return a === 'string' || b === 'string' ? 'string' : a === 'number' && b === 'number' ? 'number' : 'primitive';
    return /^[<>]=?$/.test(n.operator as string) ? 'primitive' : 'number';
  };

  const logical = (n: N): Kind | undefined => {
    if (guardedValue(n)) return 'maybe-string';
    const a = kind(n.left as N);
    // `x && x.length`: the right side runs only where the left is truthy; `!x || x.length`, falsy.
    const b = n.operator === '&&' ? narrowed(n.left as N, () => kind(n.right as N)) : n.operator === '||' ? within(negations(n.left as N), () => kind(n.right as N)) : kind(n.right as N);
    if (!a || !b) return undefined;
    // `read || fallback`: the read when it is a non-empty string, else the fallback.
    if (n.operator === '||' && b === 'string' && (a === 'string' || a === 'maybe-string')) return 'string';
    return either(a, b);
  };

  const assignment = (n: N): Kind | undefined => {
    const left = n.left as N;
    const right = kind(n.right as N);
    if (!right) return undefined;
    if (left.type === 'Identifier') {
      // A local keeps the kind it was declared with: every value it is given must be one.
      const declared = locals.get(left.name as string);
      if (!declared) return undefined;
      if (loose && n.operator === '=') return right;
      if (n.operator === '=') return holds(declared, right) ? right : undefined;
      // `x += y`, `x |= y`: both converted, so both must convert without running code.
      if (!CONVERTIBLE.has(declared) || !CONVERTIBLE.has(right) || /^(\*\*|&&|\|\||\?\?)=$/.test(n.operator as string)) return undefined;
      const result: Kind = n.operator !== '+=' ? 'number' : declared === 'string' || right === 'string' ? 'string' : declared === 'number' && right === 'number' ? 'number' : 'primitive';
      return holds(declared, result) ? result : undefined;
    }
    // `o.k += y` converts `o.k`, whose value is not known here: primitives on the right only.
    if (n.operator !== '=' && !PRIMITIVE.has(right)) return undefined;
    return left.type === 'MemberExpression' && member(left) ? right : undefined;
  };

  /** Whether a local declared as `declared` may be given a value of kind `value`. */
  const holds = (declared: Kind, value: Kind): boolean =>
    declared === value ||
    (declared === 'primitive' && PRIMITIVE.has(value)) ||
    (declared === 'maybe-string' && value === 'string') ||
    (declared === 'object' && CONVERTIBLE.has(value)) ||
    (declared === 'array' && value === 'strings') ||
    (declared === 'present' && value === 'present-entry') ||
    (declared === 'entry' && value === 'present-entry');

  /**
   * The locals a test proves strings where it is truthy: `x`, `x !== undefined`, `x != null`,
   * `typeof x === 'string'` of a local that is a string or undefined, and both sides of `&&`.
   */
  const narrowings = (test: N, out = new Map<string, Kind>()): Map<string, Kind> => {
    // Loose kinds are not checked at assignments: a narrowed one could be set to anything after the test.
    if (loose) return out;
    const local = (x: N | undefined) => (x && x.type === 'Identifier' && locals.has(x.name as string) ? (x.name as string) : undefined);
    const maybe = (name: string | undefined) => name !== undefined && locals.get(name) === 'maybe-string';
    const truthy = (name: string | undefined) => {
      const to = name === undefined ? undefined : PRESENT[locals.get(name) as Kind];
      if (to) out.set(name as string, to);
    };
    if (test.type === 'Identifier') truthy(local(test));
    if (test.type === 'UnaryExpression' && test.operator === '!' && (test.argument as N).type === 'UnaryExpression' && (test.argument as N).operator === '!') truthy(local((test.argument as N).argument as N));
    if (test.type === 'LogicalExpression' && test.operator === '&&') {
      narrowings(test.left as N, out);
      narrowings(test.right as N, out);
    }
    if (test.type === 'BinaryExpression') {
      const [l, r] = [test.left as N, test.right as N];
      const nothing = (x: N) => (x.type === 'Identifier' && x.name === 'undefined') || (x.type === 'UnaryExpression' && x.operator === 'void' && (x.argument as N).type === 'Literal') || (x.type === 'Literal' && x.value === null);
      if (test.operator === '!==' || test.operator === '!=') {
        const name = nothing(r) ? local(l) : nothing(l) ? local(r) : undefined;
        if (maybe(name) && (test.operator === '!=' || !(r.type === 'Literal' || l.type === 'Literal'))) out.set(name as string, 'string');
        else if (test.operator === '!=') truthy(name);
      }
      if (test.operator === '===' && l.type === 'UnaryExpression' && l.operator === 'typeof' && r.type === 'Literal' && r.value === 'string') {
        const name = local(l.argument as N);
        if (name !== undefined && (locals.get(name) === 'maybe-string' || locals.get(name) === 'primitive')) out.set(name, 'string');
      }
    }
    return out;
  };

  /** The locals `test` proves strings or present where it is falsy: after `if (test) return;`. */
  const negations = (test: N, out = new Map<string, Kind>()): Map<string, Kind> => {
    if (loose) return out;
    if (test.type === 'UnaryExpression' && test.operator === '!') return narrowings(test.argument as N, out);
    if (test.type === 'LogicalExpression' && test.operator === '||') {
      negations(test.left as N, out);
      negations(test.right as N, out);
    }
    if (test.type === 'BinaryExpression' && (test.operator === '===' || test.operator === '==' || test.operator === '!==')) {
      const flipped = { ...test, operator: test.operator === '!==' ? '===' : test.operator === '===' ? '!==' : '!=' } as N;
      narrowings(flipped, out);
    }
    return out;
  };

  /** Runs `check` with the locals `test` proves strings, where it is truthy. */
  const narrowed = <T>(test: N, check: () => T): T => within(narrowings(test), check);

  /** Runs `check` with these locals' kinds. */
  const within = <T>(kinds: Map<string, Kind>, check: () => T): T => {
    const outer = locals;
    locals = new Map(outer);
    for (const [name, k] of kinds) locals.set(name, k);
    try {
      return check();
    } finally {
      locals = outer;
    }
  };

  /** `o.k` or `o[k]` on an object CloudFront always gives; `k` must convert to a key. */
  const member = (n: N): boolean =>
    n.type === 'MemberExpression' && objectOf(n.object as N) && (!n.computed || convertible(n.property as N));

  const read = (n: N): Kind | undefined => {
    const field = FIELDS[src(n)];
    if (field) return field;
    const of = n.object as N;
    const receiver = kind(of);
    if (!n.computed && (n.property as N).name === 'length' && /^(strings?|array)$/.test(receiver ?? '')) return 'number';
    if (n.computed && receiver === 'strings' && of.type === 'Identifier' && (n.property as N).type === 'Identifier' && inBounds.has(`${of.name as string}\0${(n.property as N).name as string}`)) return 'string';
    if (n.computed && receiver === 'strings') return PRIMITIVE.has(kind(n.property as N) as Kind) ? 'maybe-string' : undefined;
    if (n.computed && receiver === 'array') return PRIMITIVE.has(kind(n.property as N) as Kind) ? 'object' : undefined;
    // A value proven present: plain data (no getters), so reading any key of it cannot throw.
    // (A string as CloudFront gives it; a hook may have set another value: only a test proves one.)
    if (receiver === 'present-entry' && !n.computed && (n.property as N).name === 'value') return 'maybe-string';
    if (receiver === 'present' || receiver === 'present-entry') return !n.computed || convertible(n.property as N) ? 'object' : undefined;
    if (/^__[rs]\.(headers|querystring|cookies)$/.test(src(n))) return member(n) ? 'map' : undefined;
    if (n.computed && (n.property as N).type === 'Literal' && /^__[rs]\.(headers|querystring|cookies)$/.test(src(of))) return member(n) ? 'entry' : undefined;
    return member(n) ? 'object' : undefined;
  };

  /** `(m["k"] && m["k"].value)` and `(m["k"] && __edge_dec(m["k"].value))`, as derive-cff.ts writes a read. */
  /** `(m["k"] ? m["k"].multiValue && m["k"].multiValue.length || 1 : 0)`, as derive-cff.ts counts an entry's values. */
  const valueCount = (n: N): boolean => {
    const test = n.test as N;
    if (!member(test) || !/^__[rs]\.(headers|cookies|querystring)$/.test(src(test.object as N))) return false;
    const e = src(test);
    return src(n.consequent as N) === `${e}.multiValue && ${e}.multiValue.length || 1` && src(n.alternate as N) === '0';
  };

  const guardedValue = (n: N): boolean => {
    if (n.operator !== '&&') return false;
    const left = n.left as N;
    const right = n.right as N;
    if (!member(left) && !(left.type === 'Identifier' && locals.get(left.name as string) === 'entry')) return false;
    const value = `${src(left)}.value`;
    if (src(right) === value) return true;
    return right.type === 'CallExpression' && src(right.callee as N) === '__edge_dec' && (right.arguments as N[]).length === 1 && src((right.arguments as N[])[0]) === value;
  };

  /**
   * `await v`: a primitive awaited is itself; a KeyValueStore read (derive-cff.ts writes
   * `ctx.kvs(key)` as `__edge_kvs(key)`) settles to the value or undefined, never rejects.
   */
  const awaited = (n: N): Kind | undefined => {
    if (n.type === 'CallExpression' && src(n.callee as N) === '__edge_kvs') {
      const args = n.arguments as N[];
      return args.length === 1 && PRIMITIVE.has(kind(args[0]) as Kind) ? 'maybe-string' : undefined;
    }
    const k = kind(n);
    return k && PRIMITIVE.has(k) ? k : undefined;
  };

  const literal = (n: N | undefined, allowed: ReadonlySet<string>) => !!n && n.type === 'Literal' && allowed.has(n.value as string);

  const call = (n: N): Kind | undefined => {
    const callee = n.callee as N;
    const name = src(callee);
    const args = n.arguments as N[];
    const kinds = args.map(kind);
    if (!kinds.every(Boolean)) return undefined;
    const primitives = kinds.every((k) => PRIMITIVE.has(k as Kind));
    const convertibles = kinds.every((k) => CONVERTIBLE.has(k as Kind));
    if (name === 'require') return literal(args[0], new Set(['crypto'])) && args.length === 1 ? 'crypto' : undefined;
    if (name === 'String') return args.length === 1 && convertibles ? 'string' : undefined;
    if (NUMBER_FUNCTIONS.has(name)) return convertibles ? 'number' : undefined;
    if (name === 'Object.keys') return args.length === 1 && objectOf(args[0]) ? 'strings' : undefined;
    // cloudfront-js-2.0's viewer request: the query string as sent, '' for none.
    if (name === '__r.rawQueryString') return args.length === 0 ? 'string' : undefined;
    if (name === 'Date.now') return args.length === 0 ? 'number' : undefined;
    if (name === 'Array.isArray') return args.length === 1 ? 'primitive' : undefined;
    // Throw on a lone surrogate or a bad escape: only inside a try that catches it.
    if (inTry && /^(encodeURI|encodeURIComponent|decodeURI|decodeURIComponent)$/.test(name)) return args.length === 1 && convertibles ? 'string' : undefined;
    if (name === '__edge_qs') return args.length === 1 && objectOf(args[0]) ? 'string' : undefined;
    if (name === '__edge_dec') return args.length === 1 && kinds[0] === 'string' ? 'string' : undefined;
    // Appends a cookie to `response.cookies`, made if missing: derive-cff.ts passes it so.
    if (name === '__edge_ck') return /^__s\.cookies \|\| \(__s\.cookies = \{\}\)$/.test(src(args[0])) && args[1].type === 'Literal' ? 'primitive' : undefined;
    if (name === '__edge_allraw') return args.length === 1 && member(args[0]) ? 'strings' : undefined;
    if (callee.type !== 'MemberExpression' || callee.computed) return undefined;
    if ((callee.property as N).name === 'test' && regexOf(callee.object as N)) return args.length === 1 && primitives ? 'primitive' : undefined;
    const method = (callee.property as N).name as string;
    const receiver = kind(callee.object as N);
    if (receiver === 'strings' || receiver === 'array') {
      // Converting each element runs no code of the viewer's: they are strings or convertible.
      if (method === 'join') return args.length <= 1 && primitives ? 'string' : undefined;
      if (method === 'sort') return args.length === 0 ? receiver : undefined;
      if (method === 'push' && args.length >= 1) {
        if (receiver === 'array' ? convertibles : kinds.every((k) => k === 'string')) return 'number';
        const target = callee.object as N;
        // Pushed something else: an array literal's local is tried again as an array.
        if (receiver === 'strings' && target.type === 'Identifier' && literalArrays.has(target.name as string) && convertibles) demoted.add(target.name as string);
        return undefined;
      }
      return undefined;
    }
    if (receiver === 'string' && STRING_METHODS[method]) return primitives ? STRING_METHODS[method] : undefined;
    // A string pattern or a RegExp literal, and a string replacement (a function one could throw).
    if (receiver === 'string' && method === 'replace') return args.length === 2 && kinds[1] === 'string' && (kinds[0] === 'string' || isRegex(args[0])) ? 'string' : undefined;
    if (receiver === 'string' && method === 'search') return args.length === 1 && (primitives || isRegex(args[0])) ? 'number' : undefined;
    if (receiver === 'string' && method === 'split') return args.length <= 1 && (primitives || isRegex(args[0])) ? 'strings' : undefined;
    if (receiver === 'crypto' && method === 'createHash') return args.length === 1 && literal(args[0], HASHES) ? 'hash' : undefined;
    if (receiver === 'crypto' && method === 'createHmac') return args.length === 2 && literal(args[0], HASHES) && kinds[1] === 'string' ? 'hash' : undefined;
    if (receiver === 'hash' && method === 'update') return args.length === 1 && kinds[0] === 'string' ? 'hash' : undefined;
    if (receiver === 'hash' && method === 'digest') return args.length === 1 && literal(args[0], DIGESTS) ? 'string' : undefined;
    return undefined;
  };
  const regexOf = (n: N): boolean => {
    if (n.type === 'Literal' && n.regex) return !/[gy]/.test((n.regex as { flags: string }).flags);
    if (n.type !== 'NewExpression' || src(n.callee as N) !== 'RegExp') return false;
    const a = n.arguments as N[];
    if (a.length !== 2 || a.some((x) => x.type !== 'Literal' || typeof x.value !== 'string') || /[gy]/.test(a[1].value as string)) return false;
    try { new RegExp(a[0].value as string, a[1].value as string); return true; } catch { return false; }
  };
  const isRegex = (n: N | undefined) => !!n && n.type === 'Literal' && !!n.regex;

  const statement = (n: N): boolean => {
    switch (n.type) {
      case 'ExpressionStatement':
        return kind(n.expression as N) !== undefined;
      case 'BlockStatement':
        return scoped(() => (n.body as N[]).every((s) => {
          if (!statement(s)) return false;
          // `if (!x) return;`: what follows in the block runs only where the test is falsy.
          if (s.type === 'IfStatement' && !s.alternate && exits(s.consequent as N)) for (const [name, k] of negations(s.test as N)) locals.set(name, k);
          return true;
        }));
      case 'IfStatement':
        return kind(n.test as N) !== undefined && scoped(() => narrowed(n.test as N, () => statement(n.consequent as N))) && (!n.alternate || scoped(() => within(negations(n.test as N), () => statement(n.alternate as N))));
      case 'ForStatement':
        // A loop cannot throw by itself (whether it ends is the cost check's business): its parts.
        return scoped(() => {
          const init = n.init as N | null;
          if (init && !(init.type === 'VariableDeclaration' ? statement(init) : kind(init) !== undefined)) return false;
          if ((n.test && kind(n.test as N) === undefined) || (n.update && kind(n.update as N) === undefined)) return false;
          const outer = inBounds;
          const bound = elementLoop(n);
          if (bound) inBounds = new Set([...outer, bound]);
          try {
            return scoped(() => (n.test ? narrowed(n.test as N, () => statement(n.body as N)) : statement(n.body as N)));
          } finally {
            inBounds = outer;
          }
        });
      case 'WhileStatement':
      case 'DoWhileStatement':
        return kind(n.test as N) !== undefined && scoped(() => statement(n.body as N));
      case 'BreakStatement':
      case 'ContinueStatement':
        return !n.label;
      case 'ReturnStatement':
        return kind(n.argument as N | null) !== undefined;
      case 'EmptyStatement':
        return true;
      case 'TryStatement':
        return caughtKvsRead(n) || caught(n);
      case 'VariableDeclaration':
        return (n.declarations as N[]).every((d) => {
          const id = d.id as N;
          const k = kind(d.init as N | null);
          if (id.type !== 'Identifier' || !k || locals.has(id.name as string)) return false;
          // A local set again keeps this kind: every assignment to it is checked against it (holds).
          // Loose: it may hold any primitive or plain object later, so it is never a receiver.
          const isLiteral = (d.init as N | null)?.type === 'ArrayExpression';
          if (isLiteral) literalArrays.add(id.name as string);
          const declared = isLiteral && k === 'strings' && demoted.has(id.name as string) ? 'array' : k;
          locals.set(id.name as string, loose && reassigned.has(id.name as string) ? (PRIMITIVE.has(declared) ? 'primitive' : 'object') : declared);
          return true;
        });
      default:
        return false;
    }
  };
  /**
   * `try { v = await __edge_store().get(k); } catch (e) {}`, as derive-cff.ts writes `const v = await
   * ctx.kvs(k)`: whatever the read throws is caught, and `v` (declared before it, so a
   * `primitive` local) is a string or stays undefined.
   */
  const caughtKvsRead = (n: N): boolean => {
    const handler = n.handler as N | null;
    if (n.finalizer || !handler || ((handler.body as N).body as N[]).length) return false;
    return ((n.block as N).body as N[]).every((s) => {
      const e = s.expression as N | undefined;
      if (s.type !== 'ExpressionStatement' || !e || e.type !== 'AssignmentExpression' || e.operator !== '=') return false;
      const left = e.left as N;
      const right = e.right as N;
      if (left.type !== 'Identifier' || locals.get(left.name as string) !== 'primitive') return false;
      const read = right.type === 'AwaitExpression' ? (right.argument as N) : undefined;
      return !!read && read.type === 'CallExpression' && src(read.callee as N) === '__edge_store().get' && (read.arguments as N[]).length === 1;
    });
  };

  /**
   * `try { ... } catch (e) { ... }`: the block may call what throws on a bad input (encodeURI...),
   * which the catch handles; what it assigns keeps its kinds either way (an assignment happens
   * only once its value is computed), and the catch itself must not throw.
   */
  const caught = (n: N): boolean => {
    const handler = n.handler as N | null;
    if (n.finalizer || !handler) return false;
    const outer = inTry;
    inTry = true;
    let ok: boolean;
    try {
      ok = scoped(() => statement(n.block as N));
    } finally {
      inTry = outer;
    }
    return ok && scoped(() => {
      const param = handler.param as N | null;
      if (param && param.type !== 'Identifier') return false;
      // What a native throws (an Error): converting it runs no code of the viewer's.
      if (param) locals.set(param.name as string, 'object');
      return statement(handler.body as N);
    });
  };

  /** A statement after which the block's next one never runs: return, break, continue. */
  const exits = (n: N): boolean =>
    n.type === 'ReturnStatement' || ((n.type === 'BreakStatement' || n.type === 'ContinueStatement') && !n.label) ||
    (n.type === 'BlockStatement' && (n.body as N[]).length > 0 && exits((n.body as N[])[(n.body as N[]).length - 1]));

  /**
   * `for (let i = 0; i < a.length; i++)` over a local array of strings that the body sets
   * neither of (it may push: the array only grows): `a[i]` in the body is a string. "a\0i".
   */
  const elementLoop = (n: N): string | undefined => {
    const [init, test, update] = [n.init as N | null, n.test as N | null, n.update as N | null];
    if (!init || !test || !update || init.type !== 'VariableDeclaration' || (init.declarations as N[]).length < 1) return undefined;
    const first = (init.declarations as N[])[0];
    const i = (first.id as N).name as string;
    if ((first.init as N | null)?.type !== 'Literal' || (first.init as N).value !== 0) return undefined;
    if (test.type !== 'BinaryExpression' || test.operator !== '<' || (test.left as N).type !== 'Identifier' || (test.left as N).name !== i) return undefined;
    const right = test.right as N;
    if (right.type !== 'MemberExpression' || right.computed || (right.property as N).name !== 'length' || (right.object as N).type !== 'Identifier') return undefined;
    const a = (right.object as N).name as string;
    if (locals.get(a) !== 'strings') return undefined;
    if (update.type !== 'UpdateExpression' || update.operator !== '++' || (update.argument as N).type !== 'Identifier' || (update.argument as N).name !== i) return undefined;
    // Neither set nor declared again (a shadowing `i` of an inner loop would be another index).
    const set = assignedNames(n.body as N, true);
    return set.has(i) || set.has(a) ? undefined : `${a}\0${i}`;
  };

  /** A declaration inside a block or branch is not known to have run after it. */
  const scoped = (check: () => boolean): boolean => {
    const outer = locals;
    locals = new Map(outer);
    try {
      return check();
    } finally {
      locals = outer;
    }
  };
  return statement(fn.body as N);
}

/** Identifiers assigned or updated anywhere in `node` (and declared, with `declared`). */
function assignedNames(node: N, declared = false): Set<string> {
  const names = new Set<string>();
  const visit = (n: unknown): void => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(visit);
    const v = n as N;
    if ((v.type === 'AssignmentExpression' && (v.left as N).type === 'Identifier') || (v.type === 'UpdateExpression' && (v.argument as N).type === 'Identifier')) {
      names.add(((v.left ?? v.argument) as N).name as string);
    }
    if (declared && v.type === 'VariableDeclarator' && (v.id as N).type === 'Identifier') names.add((v.id as N).name as string);
    if (declared && v.type === 'CatchClause' && v.param && (v.param as N).type === 'Identifier') names.add((v.param as N).name as string);
    for (const key in v) if (key !== 'type' && key !== 'start' && key !== 'end') visit(v[key]);
  };
  visit(node);
  return names;
}
