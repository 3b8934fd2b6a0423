import { parse } from 'acorn';
import { fullAncestor } from 'acorn-walk';
import type { Config, DirectHooks } from '../middleware.js';
import { hookSource } from '../portable.js';
import { cannotThrow } from './cannot-throw.js';
import { HELPERS, type Helper } from './derive-helpers.js';
import type { Shape } from './emit.js';

/** What deriveHooks needs of a middleware. */
export interface DerivableMiddleware {
  name: string;
  config: Config;
  request?: Function;
  response?: Function;
}

/**
 * A user's hooks, rewritten for the event itself: `ctx.request.uri` becomes `request.uri`,
 * `ctx.request.headers.get('x')` a property read (CloudFront Functions) or a small helper call
 * (Lambda@Edge), `ctx.respond({...})` the response object, and `config.x` its value. Then no
 * context is built per request, and the artifact is about what an expert writes by hand. A
 * hook that uses the context in a way not rewritten here (passes `ctx` on, keeps
 * `ctx.request.headers` in a variable, is async, changes the Lambda@Edge query string...) is
 * left out (undefined), and its event type keeps the context-based handler: same meaning,
 * more bytes. The rewrites follow the runtime's adapters (runtime/cff.ts, runtime/lambda.ts,
 * value-map.ts) as artifacts use them: no guards.
 */
export function deriveHooks(m: DerivableMiddleware, shape: Shape): DirectHooks | undefined {
  const out: DirectHooks = { safe: shape === 'cff', constants: {}, helpers: {} };
  let any = false;
  for (const hook of ['request', 'response'] as const) {
    const fn = m[hook];
    if (!fn) continue;
    let source: string;
    try {
      source = hookSource(m.name, hook, fn);
    } catch {
      return undefined; // the context-based path reports it
    }
    const lowered = lowerHook(source, hook, m.config ?? {}, shape);
    if (!lowered) continue;
    out[hook] = lowered.code;
    // cannotThrow knows the CloudFront Functions shapes only.
    if (shape !== 'cff' || !cannotThrow(lowered.code)) out.safe = false;
    for (const h of lowered.helpers) addHelper(out.helpers!, h);
    if (lowered.usesConfig) out.constants!.CONFIG = m.config;
    any = true;
  }
  return any ? out : undefined;
}

/** deriveHooks for CloudFront Functions. */
export function deriveCffHooks(m: DerivableMiddleware): DirectHooks | undefined {
  return deriveHooks(m, 'cff');
}

function addHelper(into: Record<string, string>, name: Helper): void {
  const h = HELPERS[name];
  into[name] = h.code;
  for (const d of h.uses as readonly string[]) addHelper(into, d as Helper);
}

// ---------------------------------------------------------------------------------------------

interface N {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

interface Rewrite {
  start: number;
  end: number;
  emit(): string;
}

interface Lowered {
  code: string;
  helpers: Helper[];
  usesConfig: boolean;
}

/** Thrown inside the walk when a use of the context is not one we rewrite. */
class GiveUp extends Error {}

const REQ = '__r';
const EVT = '__e';
const RES = '__s';

/** Context properties that hold a value (rather than a map or a function). */
const VALUES = new Set([
  'eventType', 'requestId', 'viewer.ip', 'viewer.country', 'request.uri', 'request.method', 'response.status', 'response.statusDescription',
]);

type MapKind = 'headers' | 'querystring' | 'cookies' | 'responseHeaders';
const MODE: Record<MapKind, number> = { headers: 1, querystring: 2, cookies: 0, responseHeaders: 1 };

function lowerHook(source: string, hook: 'request' | 'response', config: Config, shape: Shape): Lowered | undefined {
  // Names the rewritten code introduces must not meet the user's own.
  if (/\b__[res]\b|__edge_|\bCONFIG\b|\barguments\b/.test(source)) return undefined;
  const text = `(${source})`;
  let program: N;
  try {
    program = parse(text, { ecmaVersion: 'latest' }) as unknown as N;
  } catch {
    return undefined;
  }
  const fn = ((program.body as N[])[0] as N).expression as N;
  if (fn.async || fn.generator) return undefined;
  const params = fn.params as N[];
  if (params.length > 2 || params.some((p) => p.type !== 'Identifier')) return undefined;
  const ctxName = params[0] ? (params[0].name as string) : undefined;
  const configName = params[1] ? (params[1].name as string) : undefined;

  const rewrites: Rewrite[] = [];
  const helpers = new Set<Helper>();
  let usesConfig = false;
  const slice = (n: N) => text.slice(n.start, n.end);
  const print = (n: N) => printRange(text, rewrites, n.start, n.end);
  const helper = (name: Helper) => (helpers.add(name), name);

  try {
    fullAncestor(program as never, (n, _state, a) => {
      const node = n as unknown as N;
      const ancestors = a as unknown as N[];
      if (node.type === 'ThisExpression') throw new GiveUp();
      if (node !== fn) for (const name of declaredBy(node)) if (name === ctxName || name === configName) throw new GiveUp();
      if (node.type === 'ReturnStatement' && hook === 'request' && nearestFunction(ancestors) === fn) {
        const arg = node.argument as N | null;
        rewrites.push({ start: node.start, end: node.end, emit: () => (arg ? `return (${print(arg)}) || ${REQ};` : `return ${REQ};`) });
        return;
      }
      if (node.type !== 'Identifier' || node === params[0] || node === params[1]) return;
      if (node.name === ctxName) contextUse(node, ancestors);
      else if (node.name === configName) configUse(node, ancestors);
    });
  } catch (e) {
    if (e instanceof GiveUp) return undefined;
    throw e;
  }

  const body = fn.body as N;
  const head = hook === 'request' ? `function (${REQ}, ${EVT})` : `function (${RES}, ${REQ})`;
  let code: string;
  try {
    if (body.type === 'BlockStatement') {
      code = `${head} {${printRange(text, rewrites, body.start + 1, body.end - 1)}${hook === 'request' ? `\nreturn ${REQ};` : ''}\n}`;
    } else {
      code = hook === 'request' ? `${head} { return (${print(body)}) || ${REQ}; }` : `${head} { ${print(body)}; }`;
    }
  } catch (e) {
    if (e instanceof GiveUp) return undefined;
    throw e;
  }
  return { code, helpers: [...helpers], usesConfig };

  /** `config.x` with plain data in x becomes its literal; anything else reads the CONFIG constant. */
  function configUse(node: N, ancestors: N[]): void {
    const parent = ancestors[ancestors.length - 2];
    const member = parent.type === 'MemberExpression' && parent.object === node;
    if (!member && !(parent.type === 'VariableDeclarator' && parent.init === node)) throw new GiveUp();
    if (member && !parent.computed) {
      const key = (parent.property as N).name as string;
      const value = Object.prototype.hasOwnProperty.call(config, key) ? (config as Record<string, unknown>)[key] : undefined;
      const grand = ancestors[ancestors.length - 3];
      const written = isWritten(parent, grand);
      if (!written && (value === null || value === undefined || typeof value !== 'object')) {
        const literal = value === undefined ? 'void 0' : JSON.stringify(value);
        rewrites.push({ start: parent.start, end: parent.end, emit: () => `(${literal})` });
        return;
      }
    }
    usesConfig = true;
    rewrites.push({ start: node.start, end: node.end, emit: () => 'CONFIG' });
  }

  function contextUse(node: N, ancestors: N[]): void {
    // The chain of plain property reads from ctx: ctx.request.headers.get -> ['request', 'headers', 'get'].
    let i = ancestors.length - 1;
    let top = node;
    const path: string[] = [];
    while (i > 0) {
      const parent = ancestors[i - 1];
      if (parent.type !== 'MemberExpression' || parent.object !== top || parent.computed) break;
      path.push((parent.property as N).name as string);
      top = parent;
      i--;
      // `ctx.request.uri.slice(1)`: what follows a value is the user's own business.
      if (path.length === 3 || VALUES.has(path.join('.'))) break;
    }
    const parent = ancestors[i - 1];
    const call = parent && parent.type === 'CallExpression' && parent.callee === top ? parent : undefined;
    const args = call ? (call.arguments as N[]) : [];
    if (args.some((a) => a.type === 'SpreadElement')) throw new GiveUp();
    const written = isWritten(top, parent);
    const at = (emit: () => string, n: N = top): void => void rewrites.push({ start: n.start, end: n.end, emit });
    const p = path.join('.');
    if (shape === 'lambda') return lambdaUse(p, path, call, args, written, parent, ancestors[i - 2], at);

    if (hook === 'request') {
      if (p === 'eventType' && !written) return at(() => '"viewer-request"');
      if (p === 'requestId' && !written) return at(() => `${EVT}.context.requestId`);
      if (p === 'viewer.ip' && !written) return at(() => `${EVT}.viewer.ip`);
      if (p === 'respond' && call) return at(() => answer(args[0]), call);
      if (p === 'redirect' && call) return at(() => redirectAnswer(args), call);
    } else {
      if (p === 'eventType' && !written) return at(() => '"viewer-response"');
      if ((p === 'response.status' || p === 'response.statusDescription') && !(parent.type === 'UnaryExpression' && parent.operator === 'delete')) {
        return at(() => `${RES}.${p === 'response.status' ? 'statusCode' : 'statusDescription'}`);
      }
      if (path.length === 3 && path[0] === 'response' && path[1] === 'headers' && call) {
        return at(() => mapCall('responseHeaders', `${RES}.headers`, path[2], args, ancestors[i - 2]), call);
      }
    }
    if (p === 'viewer.country' && !written) {
      return at(() => `(${REQ}.headers["cloudfront-viewer-country"] && ${REQ}.headers["cloudfront-viewer-country"].value)`);
    }
    if ((p === 'request.uri' || p === 'request.method') && (!written || p === 'request.uri')) return at(() => `${REQ}.${path[1]}`);
    if (path.length === 3 && path[0] === 'request' && call && (path[1] === 'headers' || path[1] === 'querystring' || path[1] === 'cookies')) {
      const kind = path[1] as MapKind;
      return at(() => mapCall(kind, `${REQ}.${kind}`, path[2], args, ancestors[i - 2]), call);
    }
    throw new GiveUp();
  }

  /** contextUse for the Lambda@Edge event (runtime/lambda.ts). */
  function lambdaUse(p: string, path: string[], call: N | undefined, args: N[], written: boolean, parent: N, grand: N | undefined, at: (emit: () => string, n?: N) => void): void {
    const cf = `${EVT}.Records[0].cf`;
    if (hook === 'request') {
      if (p === 'eventType' && !written) return at(() => `${cf}.config.eventType`);
      if (p === 'requestId' && !written) return at(() => `${cf}.config.requestId`);
      if (p === 'respond' && call) return at(() => lambdaAnswer(args[0]), call);
      if (p === 'redirect' && call) return at(() => lambdaRedirect(args), call);
    } else {
      if (p === 'response.status' && !written) return at(() => `parseInt(${RES}.status, 10)`);
      // The status is a string in the event: a plain assignment, as a statement, keeps it one.
      if (p === 'response.status' && parent.type === 'AssignmentExpression' && parent.operator === '=' && grand && grand.type === 'ExpressionStatement') {
        const right = parent.right as N;
        return at(() => `${RES}.status = String(${print(right)})`, parent);
      }
      if (p === 'response.statusDescription' && !written) return at(() => `${RES}.statusDescription`);
      if (path.length === 3 && path[0] === 'response' && path[1] === 'headers' && call) {
        return at(() => lambdaHeaders(`${RES}.headers`, path[2], args), call);
      }
    }
    if (p === 'viewer.ip' && !written) return at(() => `${REQ}.clientIp`);
    if (p === 'viewer.country' && !written) return at(() => `${helper('__edge_lget')}(${REQ}.headers, "cloudfront-viewer-country")`);
    if ((p === 'request.uri' || p === 'request.method') && (!written || p === 'request.uri')) return at(() => `${REQ}.${path[1]}`);
    if (path.length === 3 && path[0] === 'request' && call) {
      if (path[1] === 'headers') return at(() => lambdaHeaders(`${REQ}.headers`, path[2], args), call);
      if (path[1] === 'querystring') {
        // Read only: a change would have to be written back once, after every hook.
        if (path[2] === 'toString' && !args.length) return at(() => `(${REQ}.querystring || "")`, call);
        return at(() => pairsCall(`${helper('__edge_pairs')}(${REQ}.querystring, "&")`, 2, path[2], args), call);
      }
      if (path[1] === 'cookies') {
        return at(() => pairsCall(`${helper('__edge_pairs')}(${helper('__edge_lall')}(${REQ}.headers, "cookie").join(";"), ";")`, 0, path[2], args), call);
      }
    }
    throw new GiveUp();
  }

  function lambdaHeaders(h: string, method: string, args: N[]): string {
    const arity: Record<string, number> = { get: 1, getAll: 1, has: 1, set: 2, append: 2, delete: 1, names: 0 };
    if (!(method in arity) || args.length !== arity[method]) throw new GiveUp();
    if (method === 'names') return `Object.keys(${h})`;
    const name = { get: 'lget', getAll: 'lall', has: 'lhas', set: 'lset', append: 'lappend', delete: 'ldelete' }[method] as string;
    return `${helper(`__edge_${name}` as Helper)}(${h}, ${args.map(print).join(', ')})`;
  }

  /** A read of a parsed query string or Cookie header, as the value map reads it. */
  function pairsCall(pairs: string, mode: number, method: string, args: N[]): string {
    if (method === 'names' && !args.length) return `Object.keys(${pairs})`;
    if (args.length !== 1) throw new GiveUp();
    if (method === 'get') return `${helper('__edge_get')}(${pairs}, ${print(args[0])}, ${mode})`;
    if (method === 'getAll') return `${helper('__edge_all')}(${pairs}, ${print(args[0])}, ${mode})`;
    if (method === 'has' && mode === 2) return `${helper('__edge_has')}(${pairs}, ${print(args[0])}, ${mode})`;
    throw new GiveUp();
  }

  /** `ctx.respond({...})` as the Lambda@Edge response (runtime/lambda.ts leAnswer). */
  function lambdaAnswer(init: N | undefined): string {
    if (!init) throw new GiveUp();
    const fallback = () => `${helper('__edge_lrespond')}(${print(init)})`;
    if (init.type !== 'ObjectExpression') return fallback();
    let status: string | undefined;
    let headers = '{}';
    let rest = '';
    for (const prop of init.properties as N[]) {
      const k = propertyKey(prop);
      const v = prop.value as N;
      if (k === 'status') status = v.type === 'Literal' && typeof v.value === 'number' ? JSON.stringify(String(v.value)) : `String(${print(v)})`;
      else if (k === 'statusDescription' && v.type === 'Literal' && typeof v.value === 'string') rest += v.value ? `, statusDescription: ${slice(v)}` : '';
      else if (k === 'body' && v.type === 'Literal' && typeof v.value === 'string') rest += `, body: ${slice(v)}, bodyEncoding: "text"`;
      else if (k === 'headers' && v.type === 'ObjectExpression') {
        const seen = new Set<string>();
        const out: string[] = [];
        for (const hp of v.properties as N[]) {
          const name = propertyKey(hp);
          const lower = name.toLowerCase();
          if (seen.has(lower) || lower in Object.prototype) return fallback();
          seen.add(lower);
          out.push(`${JSON.stringify(lower)}: [{ key: ${JSON.stringify(name)}, value: ${print(hp.value as N)} }]`);
        }
        headers = `{ ${out.join(', ')} }`;
      } else return fallback();
    }
    return status === undefined ? fallback() : `{ status: ${status}, headers: ${headers}${rest} }`;
  }

  function lambdaRedirect(args: N[]): string {
    if (args.length < 1 || args.length > 2) throw new GiveUp();
    const s = args[1];
    const status = !s ? '"302"' : s.type === 'Literal' && typeof s.value === 'number' && s.value ? JSON.stringify(String(s.value)) : `String((${print(s)}) || 302)`;
    return `{ headers: { location: [{ key: "Location", value: ${print(args[0])} }] }, status: ${status} }`;
  }

  /** The string an expression is at build time: a literal, or a config value inlined as one. */
  function staticString(n: N): string | undefined {
    if (n.type === 'Literal') return typeof n.value === 'string' ? n.value : undefined;
    const o = n.object as N | undefined;
    if (n.type !== 'MemberExpression' || n.computed || !o || o.type !== 'Identifier' || o.name !== configName) return undefined;
    const key = (n.property as N).name as string;
    const value = Object.prototype.hasOwnProperty.call(config, key) ? (config as Record<string, unknown>)[key] : undefined;
    return typeof value === 'string' ? value : undefined;
  }

  /** One method call on a header, query string or cookie map, as the value map does it. */
  function mapCall(kind: MapKind, o: string, method: string, args: N[], parent: N | undefined): string {
    const mode = MODE[kind];
    const name = args[0];
    const literal = name && staticString(name);
    const key = literal === undefined ? undefined : mode & 1 ? literal.toLowerCase() : literal;
    // `constructor`, `__proto__`...: the maps look those up with care; so does the helper.
    const plain = key !== undefined && !(key in Object.prototype);
    const setCookie = kind === 'responseHeaders' && (key === 'set-cookie' || key === undefined);
    const statement = parent !== undefined && parent.type === 'ExpressionStatement';
    const effect = (code: string) => (statement ? code : `void (${code})`);
    const arg = (k: number) => (args[k] ? print(args[k]) : 'undefined');
    const at = (k: string) => `${o}[${JSON.stringify(k)}]`;
    if (kind === 'cookies' && method !== 'get' && method !== 'getAll' && method !== 'names') throw new GiveUp();
    if (kind === 'querystring' && method === 'toString' && args.length === 0) return `${helper('__edge_qs')}(${o})`;
    if (method === 'names' && args.length === 0 && kind !== 'responseHeaders') return `Object.keys(${o})`;
    if (setCookie) {
      // CloudFront Functions keep Set-Cookie in response.cookies (runtime/cff.ts).
      if (key === undefined) throw new GiveUp();
      const cookies = `(${RES}.cookies || (${RES}.cookies = {}))`;
      const parsed = args.length === 2 ? parseSetCookie(staticString(args[1])) : undefined;
      if (method === 'append' && parsed) return effect(`${helper('__edge_ck')}(${cookies}, ${JSON.stringify(parsed.name)}, ${JSON.stringify(parsed.value)})`);
      if (method === 'set' && parsed) return effect(`${RES}.cookies = { ${JSON.stringify(parsed.name)}: ${JSON.stringify(parsed.value)} }`);
      if (method === 'append' && args.length === 2) return effect(`${helper('__edge_cookie')}(${cookies}, ${arg(1)})`);
      if (method === 'set' && args.length === 2) return effect(`${helper('__edge_cookie')}(${RES}.cookies = {}, ${arg(1)})`);
      if (method === 'delete' && args.length === 1) return effect(`${RES}.cookies = {}`);
      throw new GiveUp();
    }
    const n = arg(0);
    switch (method) {
      case 'get':
        if (args.length !== 1) break;
        if (!plain) return `${helper('__edge_get')}(${o}, ${n}, ${mode})`;
        return `(${at(key!)} && ${mode & 2 ? `${helper('__edge_dec')}(${at(key!)}.value)` : `${at(key!)}.value`})`;
      case 'getAll':
        if (args.length !== 1) break;
        return `${helper('__edge_all')}(${o}, ${n}, ${mode})`;
      case 'has':
        if (args.length !== 1) break;
        if (!plain) return `${helper('__edge_has')}(${o}, ${n}, ${mode})`;
        return `(${at(key!)} !== undefined)`;
      case 'set':
        if (args.length !== 2) break;
        if (!plain) return effect(`${helper('__edge_set')}(${o}, ${n}, ${arg(1)}, ${mode})`);
        return effect(`${at(key!)} = { value: ${mode & 2 ? `encodeURIComponent(${arg(1)})` : arg(1)} }`);
      case 'append':
        if (args.length !== 2) break;
        return effect(`${helper('__edge_append')}(${o}, ${n}, ${arg(1)}, ${mode})`);
      case 'delete':
        if (args.length !== 1) break;
        if (!plain) return effect(`${helper('__edge_delete')}(${o}, ${n}, ${mode})`);
        return effect(`delete ${at(key!)}`);
    }
    throw new GiveUp();
  }

  /** `ctx.respond({ status, headers, body })` as the CloudFront response, built in place when the init is literal. */
  function answer(init: N | undefined): string {
    if (!init) throw new GiveUp();
    if (init.type !== 'ObjectExpression') return `${helper('__edge_respond')}(${print(init)})`;
    const fallback = () => `${helper('__edge_respond')}(${print(init)})`;
    let status: string | undefined;
    let headers = '{}';
    let rest = '';
    for (const prop of init.properties as N[]) {
      const k = propertyKey(prop);
      const v = prop.value as N;
      if (k === 'status') status = print(v);
      else if (k === 'statusDescription' && v.type === 'Literal' && typeof v.value === 'string') rest += v.value ? `, statusDescription: ${slice(v)}` : '';
      else if (k === 'body' && v.type === 'Literal' && typeof v.value === 'string') rest += `, body: { encoding: "text", data: ${slice(v)} }`;
      else if (k === 'headers' && v.type === 'ObjectExpression') headers = answerHeaders(v);
      else return fallback();
    }
    return status === undefined ? fallback() : `{ statusCode: ${status}, headers: ${headers}${rest} }`;
  }

  function answerHeaders(o: N): string {
    const out: string[] = [];
    for (const prop of o.properties as N[]) {
      const k = propertyKey(prop).toLowerCase();
      if (k === 'set-cookie' || k in Object.prototype) throw new GiveUp();
      out.push(`${JSON.stringify(k)}: { value: ${print(prop.value as N)} }`);
    }
    return `{ ${out.join(', ')} }`;
  }

  function redirectAnswer(args: N[]): string {
    if (args.length < 1 || args.length > 2) throw new GiveUp();
    const status = args[1] ? (args[1].type === 'Literal' && args[1].value ? slice(args[1]) : `(${print(args[1])}) || 302`) : '302';
    return `{ headers: { location: { value: ${print(args[0])} } }, statusCode: ${status} }`;
  }
}

/** A Set-Cookie value known at build time, split as the runtime splits it (runtime/cff.ts appendCookie). */
function parseSetCookie(value: string | undefined): { name: string; value: { value: string; attributes?: string } } | undefined {
  if (value === undefined) return undefined;
  const semi = value.indexOf(';');
  const pair = semi < 0 ? value : value.slice(0, semi);
  const eq = pair.indexOf('=');
  const name = (eq < 0 ? pair : pair.slice(0, eq)).trim();
  if (name in Object.prototype) return undefined;
  const v: { value: string; attributes?: string } = { value: eq < 0 ? '' : pair.slice(eq + 1).trim() };
  if (semi >= 0) v.attributes = value.slice(semi + 1).trim();
  return { name, value: v };
}

function propertyKey(prop: N): string {
  if (prop.type !== 'Property' || prop.computed || prop.kind !== 'init' || prop.method) throw new GiveUp();
  const key = prop.key as N;
  if (key.type === 'Identifier') return key.name as string;
  if (key.type === 'Literal' && typeof key.value === 'string') return key.value;
  throw new GiveUp();
}

/** The source of [start, end) with every rewrite inside it applied (outermost first). */
function printRange(text: string, rewrites: Rewrite[], start: number, end: number): string {
  const inside = rewrites
    .filter((r) => r.start >= start && r.end <= end)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let pos = start;
  for (const r of inside) {
    if (r.start < pos) continue; // within one already printed
    out += text.slice(pos, r.start) + r.emit();
    pos = r.end;
  }
  return out + text.slice(pos, end);
}

function nearestFunction(ancestors: N[]): N | undefined {
  for (let i = ancestors.length - 2; i >= 0; i--) if (/Function/.test(ancestors[i].type)) return ancestors[i];
  return undefined;
}

/** The names a node declares: variables, functions, their parameters, catch clauses, classes. */
function declaredBy(node: N): string[] {
  const out: string[] = [];
  const pattern = (p: N | null | undefined): void => {
    if (!p) return;
    if (p.type === 'Identifier') out.push(p.name as string);
    else if (p.type === 'ObjectPattern') for (const q of p.properties as N[]) pattern(q.type === 'RestElement' ? q : (q.value as N));
    else if (p.type === 'ArrayPattern') for (const q of p.elements as N[]) pattern(q);
    else if (p.type === 'RestElement') pattern(p.argument as N);
    else if (p.type === 'AssignmentPattern') pattern(p.left as N);
  };
  if (node.type === 'VariableDeclarator') pattern(node.id as N);
  else if (/Function/.test(node.type)) {
    pattern(node.id as N | null);
    for (const p of node.params as N[]) pattern(p);
  } else if (node.type === 'CatchClause') pattern(node.param as N | null);
  else if (/^Class/.test(node.type)) pattern(node.id as N | null);
  return out;
}

/** Whether an expression is assigned, updated or deleted. */
function isWritten(node: N, parent: N | undefined): boolean {
  if (!parent) return false;
  return (parent.type === 'AssignmentExpression' && parent.left === node) ||
    parent.type === 'UpdateExpression' ||
    (parent.type === 'UnaryExpression' && parent.operator === 'delete');
}
