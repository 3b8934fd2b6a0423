import { parse } from 'acorn';
import { unrollOptionLoops } from './unroll.js';
import { fullAncestor } from 'acorn-walk';
import type { Config, DirectHooks } from '../middleware.js';
import { foldConstantBranches } from './fold.js';
import { hookSource } from '../portable.js';
import { cannotThrow } from './cannot-throw.js';
import { HELPERS, type Helper } from './derive-helpers.js';
import type { Shape } from './emit.js';
import { declaredBy, GiveUp, isWritten, nearestFunction, printRange, EVT, REQ, RES, type ContextUse, type Dialect, type N, type Rewrite } from './derive-ast.js';
import { cffDialect } from './derive-cff.js';
import { lambdaDialect } from './derive-lambda.js';

/** What deriveHooks needs of a middleware. */
export interface DerivableMiddleware {
  name: string;
  config: Config;
  needs?: readonly string[];
  request?: Function;
  response?: Function;
}

/**
 * A user's hooks, rewritten for the event itself: `ctx.request.uri` becomes `request.uri`,
 * `ctx.request.headers.get('x')` a property access, `ctx.respond({...})` the response object,
 * and `config.x` its value. Then no context is built per request, and the artifact is about
 * what an expert writes by hand. A hook that uses the context in a way not rewritten here
 * (passes `ctx` or a map on, keeps a map in a `let`, is async, reads the body...) is left out
 * (undefined), and its event type keeps the context-based handler: same meaning, more bytes.
 * The rewrites follow the runtime's adapters (runtime/cff.ts, runtime/lambda.ts,
 * value-map.ts) as artifacts use them: no guards.
 */
/** Derived hooks per middleware object and shape: a build and its size table derive each once. */
const derived = new WeakMap<object, Map<Shape, DirectHooks | undefined>>();

export function deriveHooks(m: DerivableMiddleware, shape: Shape): DirectHooks | undefined {
  let byShape = derived.get(m);
  if (!byShape) derived.set(m, (byShape = new Map()));
  if (!byShape.has(shape)) byShape.set(shape, deriveHooksOnce(m, shape));
  return byShape.get(shape);
}

function deriveHooksOnce(m: DerivableMiddleware, shape: Shape): DirectHooks | undefined {
  const out: DirectHooks = { constants: {}, helpers: {} };
  // Per hook: a response hook that cannot throw needs no try/catch because its request hook might.
  const safe: { request?: boolean; response?: boolean } = {};
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
    // A hook of a middleware that may await, if not itself `async`, may hand back a promise the
    // straight-line handler would not wait for: the context-based handler does.
    const mayAwait = (m.needs ?? []).some((c) => c === 'async' || c === 'kvs');
    const lowered = lowerHook(source, hook, m.config ?? {}, shape, mayAwait);
    if (!lowered) continue;
    out[hook] = lowered.code;
    // cannotThrow knows the CloudFront Functions shapes only.
    safe[hook] = shape === 'cff' && cannotThrow(lowered.code);
    for (const h of lowered.helpers) addHelper(out.helpers!, h, shape);
    if (lowered.usesConfig) {
      // Only the options the hook reads reach the artifact, each a constant of its own.
      if (lowered.configKeys) for (const key of lowered.configKeys) out.constants![`CONFIG_${key}`] = (m.config as Record<string, Config>)[key];
      else out.constants!.CONFIG = m.config;
    }
    any = true;
  }
  out.safe = safe;
  return any ? out : undefined;
}

/** deriveHooks for CloudFront Functions. */
export function deriveCffHooks(m: DerivableMiddleware): DirectHooks | undefined {
  return deriveHooks(m, 'cff');
}

function addHelper(into: Record<string, string>, name: Helper, shape: Shape): void {
  const h: { uses: readonly string[]; code: string; cff?: string } = HELPERS[name];
  into[name] = (shape === 'cff' && h.cff) || h.code;
  for (const d of h.uses) addHelper(into, d as Helper, shape);
}

interface Lowered {
  code: string;
  helpers: Helper[];
  usesConfig: boolean;
  /** The keys of `config` read as `config.key` (objects), when that is the only way the hook uses it. */
  configKeys?: string[];
}

/** Context properties that hold a value (rather than a map or a function). */
const VALUES = new Set([
  'eventType', 'requestId', 'viewer.ip', 'viewer.country', 'request.uri', 'request.method', 'response.status', 'response.statusDescription',
]);

const DIALECTS: Record<Shape, Dialect> = { cff: cffDialect, lambda: lambdaDialect };

/** A map of the context kept in a name: `const h = ctx.request.headers;` */
interface Alias {
  path: readonly string[];
  /** The whole `const` statement, which the rewrite drops. */
  declaration: N;
  init: N;
}

const MAPS = new Set(['request.headers', 'request.querystring', 'request.cookies', 'response.headers']);

/**
 * Names bound once, by a `const` statement of their own, to one of the context's maps. A name
 * bound otherwise (`let`, destructuring, with other declarators) is no alias: its uses of `ctx`
 * are not rewritten, and the hook keeps the context.
 */
function mapAliases(program: N, ctxName: string): Map<string, Alias> {
  const out = new Map<string, Alias>();
  fullAncestor(program as never, (n, _s, a) => {
    const node = n as unknown as N;
    const parent = (a as unknown as N[])[(a as unknown as N[]).length - 2];
    if (node.type !== 'VariableDeclaration' || node.kind !== 'const' || (node.declarations as N[]).length !== 1) return;
    if (!parent || parent.type !== 'BlockStatement') return;
    const d = (node.declarations as N[])[0];
    const init = d.init as N | null;
    const id = d.id as N;
    if (id.type !== 'Identifier' || !init || init.type !== 'MemberExpression' || init.computed) return;
    const inner = init.object as N;
    if (inner.type !== 'MemberExpression' || inner.computed || (inner.object as N).type !== 'Identifier' || (inner.object as N).name !== ctxName) return;
    const path = [(inner.property as N).name as string, (init.property as N).name as string];
    if (!MAPS.has(path.join('.')) || out.has(id.name as string)) return;
    out.set(id.name as string, { path, declaration: node, init });
  });
  return out;
}

function lowerHook(written: string, hook: 'request' | 'response', config: Config, shape: Shape, mayAwait = false): Lowered | undefined {
  // A loop over an option list is written out, one statement per item, as a hand-writer does.
  const source = unrollOptionLoops(written, config);
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
  // An async request hook is derived for CloudFront Functions (2.0, which runs async natively:
  // its KeyValueStore reads); elsewhere the context-based handler awaits it.
  if (fn.generator || (fn.async && (shape !== 'cff' || hook !== 'request')) || (mayAwait && !fn.async)) return undefined;
  const params = fn.params as N[];
  if (params.length > 2 || params.some((p) => p.type !== 'Identifier')) return undefined;
  const ctxName = params[0] ? (params[0].name as string) : undefined;
  const configName = params[1] ? (params[1].name as string) : undefined;

  const rewrites: Rewrite[] = [];
  const helpers = new Set<Helper>();
  let usesConfig = false;
  let wholeConfig = false;
  const configKeys = new Set<string>();
  const slice = (n: N) => text.slice(n.start, n.end);
  const print = (n: N) => printRange(text, rewrites, n.start, n.end);
  const helper = (name: Helper) => (helpers.add(name), name);
  const locals = new Set<string>();
  const exits = new Set<string>();
  /** The value a request hook returns, with the exit code run after it is computed. */
  const exit = (value: string): string => {
    if (!exits.size) return value;
    locals.add('__edge_x');
    return `(__edge_x = ${value}, ${[...exits].join(', ')}, __edge_x)`;
  };

  // `const headers = ctx.request.headers;`: the name stands for the map wherever it is used.
  const aliases = ctxName ? mapAliases(program, ctxName) : new Map<string, Alias>();
  const reserved = (name: string) => name === ctxName || name === configName || aliases.has(name);

  try {
    fullAncestor(program as never, (n, _state, a) => {
      const node = n as unknown as N;
      const ancestors = a as unknown as N[];
      if (node.type === 'ThisExpression') throw new GiveUp();
      const declared = [...aliases.values()].find((x) => x.declaration === node || (x.declaration.declarations as N[])[0] === node);
      if (declared) {
        if (node.type === 'VariableDeclaration') rewrites.push({ start: node.start, end: node.end, emit: () => '' });
        return;
      }
      if (node !== fn) for (const name of declaredBy(node)) if (reserved(name)) throw new GiveUp();
      if (node.type === 'ReturnStatement' && hook === 'request' && nearestFunction(ancestors) === fn) {
        const arg = node.argument as N | null;
        rewrites.push({ start: node.start, end: node.end, emit: () => `return ${exit(arg ? `(${print(arg)}) || ${REQ}` : REQ)};` });
        return;
      }
      if (node.type !== 'Identifier' || node === params[0] || node === params[1]) return;
      const alias = aliases.get(node.name as string);
      if (alias) {
        if (node !== ((alias.declaration.declarations as N[])[0].id as N)) contextUse(node, ancestors, alias.path);
      }
      else if (node.name === ctxName) {
        // The `ctx` of an alias's own statement, which the rewrite drops.
        if (![...aliases.values()].some((x) => x.init.start <= node.start && node.end <= x.init.end)) contextUse(node, ancestors);
      }
      else if (node.name === configName) configUse(node, ancestors);
    });
  } catch (e) {
    if (e instanceof GiveUp) return undefined;
    throw e;
  }

  const body = fn.body as N;
  const head = hook === 'request' ? `${fn.async ? 'async ' : ''}function (${REQ}, ${EVT})` : `function (${RES}, ${REQ})`;
  let code: string;
  try {
    if (body.type === 'BlockStatement') {
      const inner = printRange(text, rewrites, body.start + 1, body.end - 1);
      const end = hook === 'request' ? `\nreturn ${exit(REQ)};` : '';
      code = `${head} {${declare()}${inner}${end}\n}`;
    } else {
      const inner = print(body);
      const value = hook === 'request' ? exit(`(${inner}) || ${REQ}`) : '';
      code = hook === 'request' ? `${head} {${declare()} return ${value}; }` : `${head} {${declare()} ${inner}; }`;
    }
  } catch (e) {
    if (e instanceof GiveUp) return undefined;
    throw e;
  }
  // ctx.kvs gives a promise: only an async hook awaits it in the derived handler.
  if (helpers.has('__edge_kvs') && !fn.async) return undefined;
  // Branches the inlined options decide go before the helpers (and option constants) are chosen.
  code = foldConstantBranches(code);
  const reached = (name: string) => new RegExp(`(?<![\\w$])${name}(?![\\w$])`).test(code);
  const keys = wholeConfig ? undefined : [...configKeys].filter((k) => reached(`CONFIG_${k}`));
  return { code, helpers: [...helpers].filter(reached), usesConfig: keys ? keys.length > 0 : reached('CONFIG'), configKeys: keys };

  /** The hook's own variables the rewrites asked for (a parse kept for the call), if any. */
  function declare(): string {
    return locals.size ? ` var ${[...locals].join(', ')};` : '';
  }

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
    // `config.list !== null` of a list the options give: decided at build time, so folded.
    if (member && !parent.computed) {
      const key = (parent.property as N).name as string;
      const value = (config as Record<string, unknown>)[key];
      const test = ancestors[ancestors.length - 3];
      if (value !== null && typeof value === 'object' && test && test.type === 'BinaryExpression' && /^[!=]==?$/.test(test.operator as string)) {
        const other = (test.left === parent ? test.right : test.left) as N;
        if (other.type === 'Literal' && other.value === null && other.raw === 'null') {
          rewrites.push({ start: test.start, end: test.end, emit: () => ((test.operator as string)[0] === '!' ? '(true)' : '(false)') });
          return;
        }
      }
    }
    usesConfig = true;
    if (member && !parent.computed) {
      const key = (parent.property as N).name as string;
      configKeys.add(key);
      rewrites.push({ start: parent.start, end: parent.end, emit: () => (wholeConfig ? `CONFIG.${key}` : `CONFIG_${key}`) });
      return;
    }
    wholeConfig = true;
    rewrites.push({ start: node.start, end: node.end, emit: () => 'CONFIG' });
  }

  function contextUse(node: N, ancestors: N[], from: readonly string[] = []): void {
    // The chain of plain property reads from ctx: ctx.request.headers.get -> ['request', 'headers', 'get'].
    let i = ancestors.length - 1;
    let top = node;
    const path: string[] = [...from];
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
    const use: ContextUse = { hook, path: path.join('.'), parts: path, call, args, written: isWritten(top, parent), parent, grand: ancestors[i - 2], outer: ancestors.slice(0, i).reverse() };
    DIALECTS[shape](use, {
      print, slice, helper, staticString,
      local: (name) => (locals.add(name), name),
      has: (name) => locals.has(name),
      onExit: (code) => void exits.add(code),
      at: (emit, n = top) => void rewrites.push({ start: n.start, end: n.end, emit }),
    });
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
}
