import { parse } from 'acorn';
import { fullAncestor } from 'acorn-walk';
import { findGlobals as detectGlobals } from './globals.js';
import type { Capability } from '../capability.js';

/** Something a hook's code does that a runtime may lack. */
export interface Finding {
  /** What was seen, as a user would write it: `fetch`, `require('fs')`, `await`, `process.env`. */
  construct: string;
  /** The capability it needs; undefined for what no capability grants (eval, new Function, a computed global). */
  capability: Capability | undefined;
  /** A module name, for `require` and `import()` of a literal name. */
  module?: string;
  line: number;
  /**
   * Set when the construct may reach anything the process can (a global, `require` or `import()`
   * by a name the scan cannot read, the Function constructor, eval): no capability allows it, and
   * every target rejects it. `why` completes "its request hook ...".
   */
  escape?: { why: string; fix: string };
}

const NETWORK_MODULES = ['http', 'https', 'http2', 'net', 'tls', 'dns', 'dgram', 'undici'];
const FS_MODULES = ['fs'];
/** Modules that run code, spawn processes or load modules: they reach everything. */
const ESCAPE_MODULES = ['vm', 'child_process', 'module', 'worker_threads', 'inspector', 'cluster', 'repl', 'v8', 'wasi', 'trace_events'];
const NETWORK_GLOBALS = ['fetch', 'XMLHttpRequest', 'WebSocket', 'EventSource'];
const TIMERS = ['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask'];
const VERIFY_METHODS = ['createVerify', 'verify', 'createPublicKey', 'publicDecrypt', 'subtle'];
/** Names of the global object itself. */
const GLOBAL_OBJECTS = ['globalThis', 'global', 'self', 'window', 'frames', 'parent', 'top', 'GLOBAL', 'root'];
/** Free names that reach the module system: the artifact's own module, its exports, require as a value. */
const MODULE_NAMES = ['module', 'exports'];
/**
 * Property names (read as `x.name`, `x['name']`, a destructured key or a string) that lead to the
 * Function constructor or list the keys that do: `constructor` from any object or function, the
 * reflection that enumerates or unwraps properties, V8's stack-frame hook (its frames give `this`).
 */
const FUNCTION_PATHS = ['constructor'];
const REFLECTION = [
  'getOwnPropertyNames', 'getOwnPropertyDescriptor', 'getOwnPropertyDescriptors', 'ownKeys',
  '__lookupGetter__', '__lookupSetter__', '__defineGetter__', '__defineSetter__', 'prepareStackTrace', 'caller',
];

const LITERAL_FIX = 'read globals, require and import() by their literal names (globalThis.name, require(\'name\')), with the capability they need declared';
const FUNCTION_FIX = 'remove it: no capability allows building code at run time (write the code in the hook)';

interface Node {
  type: string;
  start: number;
  end: number;
  loc?: { start: { line: number } };
  [key: string]: any;
}

/**
 * Reads a hook's source (a function expression) and lists what it does that needs a
 * capability, so a build can name the middleware a construct came from.
 *
 * Conservative where code could reach a global or the module system without naming it: a
 * global object (globalThis, global, self, window, `this`) read through a key the scan cannot
 * fold to a string, or used as a value (except kept in a `const` whose every use is checked the
 * same way); `require` anywhere but called with a literal name; `import()` of a computed name;
 * the Function constructor however it is reached (`Function`, `.constructor`, reflection that
 * lists keys); eval; `with`. Keys made of literals (`'pro' + 'cess'`, templates, a `const` of
 * them) are folded and judged as the name they spell.
 */
export function scanHook(source: string): Finding[] {
  const text = `(${source})`;
  const ast = parse(text, { ecmaVersion: 'latest', locations: true }) as unknown as Node;
  const out: Finding[] = [];
  const add = (node: Node, construct: string, capability: Capability | undefined, extra: { module?: string; escape?: Finding['escape'] } = {}) => {
    const line = node.loc ? node.loc.start.line : 0;
    if (!out.some((f) => f.construct === construct)) out.push({ construct, capability, line, ...extra });
  };
  const escape = (node: Node, construct: string, why: string, fix: string) => add(node, construct, undefined, { escape: { why, fix } });
  const src = (node: Node) => {
    const s = text.slice(node.start, node.end).replace(/\s+/g, ' ');
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
  };

  const free = new Set<Node>();
  for (const g of detectGlobals(ast as never) as { nodes: Node[] }[]) for (const n of g.nodes) free.add(n);
  const isFree = (node: Node, name?: string) => node.type === 'Identifier' && free.has(node) && (name === undefined || node.name === name);
  const consts = constStrings(ast);
  const fold = (node: Node | null | undefined): string | undefined => foldString(node, consts);
  const keyOf = (member: Node): string | undefined => (member.computed ? fold(member.property) : member.property.name);

  // `const g = globalThis` (the built-in middleware keep per-container caches so): `g` is then
  // checked wherever it is used, as the global object would be.
  const aliases = new Set<string>();
  const declIds = new Set<Node>();
  const isGlobalRef = (node: Node): boolean => {
    if (node.type === 'ThisExpression') return true;
    if (node.type === 'Identifier') return !declIds.has(node) && ((isFree(node) && GLOBAL_OBJECTS.indexOf(node.name) >= 0) || aliases.has(node.name));
    if (node.type === 'MemberExpression') return isGlobalRef(node.object) && GLOBAL_OBJECTS.indexOf(keyOf(node) ?? '') >= 0;
    return false;
  };
  for (let changed = true; changed;) {
    changed = false;
    fullAncestor(ast as never, (n: any) => {
      const node = n as Node;
      if (node.type !== 'VariableDeclaration' || node.kind !== 'const') return;
      for (const d of node.declarations as Node[]) {
        if (d.id.type === 'Identifier' && d.init && isGlobalRef(d.init) && !aliases.has(d.id.name)) {
          aliases.add(d.id.name);
          declIds.add(d.id);
          changed = true;
        }
      }
    });
  }

  const top = (ast.body as Node[])[0].expression as Node;
  if (top.async) add(top, 'async function', 'async');

  /** A global reached by a literal name, through a global object (`globalThis.fetch`, `this.process`). */
  const reachGlobal = (name: string, member: Node, parent: Node | undefined) => {
    const construct = src(member);
    if (name === 'process') {
      const env = parent && parent.type === 'MemberExpression' && parent.object === member && keyOf(parent) === 'env';
      add(member, env ? src(parent!) : construct, 'env');
    } else if (NETWORK_GLOBALS.indexOf(name) >= 0) add(member, construct, 'network');
    else if (TIMERS.indexOf(name) >= 0 || name === 'Promise') add(member, construct, 'async');
    else if (name === 'eval') escape(member, construct, `reaches eval (${construct}), which runs any code`, FUNCTION_FIX);
    else if (name === 'Function') escape(member, construct, `reaches the Function constructor (${construct}), which runs any code`, FUNCTION_FIX);
    else if (name === 'require' || MODULE_NAMES.indexOf(name) >= 0) escape(member, construct, `reaches ${name} through a global object (${construct}): a module loaded so is hidden from the check`, LITERAL_FIX);
  };

  /** Where a global object may appear: a member read, a comparison, typeof, or a checked const alias. */
  const checkGlobalUse = (node: Node, ancestors: Node[]) => {
    let i = ancestors.length - 2;
    let child = node;
    while (i >= 0 && ancestors[i].type === 'ChainExpression') child = ancestors[i--];
    const parent = ancestors[i];
    const name = node.type === 'ThisExpression' ? 'this' : src(node);
    if (parent && parent.type === 'MemberExpression' && parent.object === child) {
      const key = keyOf(parent);
      if (key === undefined) {
        escape(parent, src(parent), `reads the global object with a computed key (${src(parent)}): it may reach any global (process, fetch, require...)`, LITERAL_FIX);
      } else if (GLOBAL_OBJECTS.indexOf(key) < 0) {
        reachGlobal(key, parent, ancestors[i - 1]);
      }
      return;
    }
    if (parent && parent.type === 'VariableDeclarator' && parent.init === child && declIds.has(parent.id)) return;
    if (parent && parent.type === 'UnaryExpression' && ['typeof', 'void', '!'].indexOf(parent.operator) >= 0) return;
    if (parent && parent.type === 'BinaryExpression' && (['===', '!==', '==', '!='].indexOf(parent.operator) >= 0 || (parent.operator === 'in' && parent.right === child))) return;
    escape(node, `${name} as a value`, `uses ${name === 'this' ? '`this` (the global object when a function is called plainly)' : `the global object (${name})`} as a value: passed on, it may reach any global (process, fetch, require...)`, 'read a global by its literal name (globalThis.name); do not pass the global object or `this` around');
  };

  fullAncestor(ast as never, (n: any, _state: unknown, anc: any, type: string) => {
    const node = n as Node;
    const ancestors = anc as Node[];
    const parent = ancestors[ancestors.length - 2];
    // A name being declared (a parameter, a variable): only an assignment to a global matters.
    if (type === 'VariablePattern' && !isFree(node)) return;
    switch (node.type) {
      case 'AwaitExpression':
        add(node, 'await', 'async');
        break;
      case 'FunctionExpression': case 'FunctionDeclaration': case 'ArrowFunctionExpression':
        if (node.async && node !== top) add(node, 'async function', 'async');
        break;
      case 'WithStatement':
        escape(node, 'with', 'uses `with`, which turns an object\'s keys (constructor...) into names the scan cannot follow', 'write the property reads out (obj.name)');
        break;
      case 'ThisExpression':
        checkGlobalUse(node, ancestors);
        break;
      case 'Identifier': {
        if (parent && parent.type === 'VariableDeclarator' && parent.id === node && declIds.has(node)) break;
        if (isGlobalRef(node)) {
          checkGlobalUse(node, ancestors);
          break;
        }
        const name: string = node.name;
        if (name === 'Promise') add(node, 'Promise', 'async');
        else if (NETWORK_GLOBALS.indexOf(name) >= 0) add(node, name, 'network');
        else if (TIMERS.indexOf(name) >= 0) add(node, name, 'async');
        else if (name === 'eval') escape(node, 'eval', 'uses eval, which runs any code', FUNCTION_FIX);
        else if (isFree(node, 'Function')) {
          const construct = parent && parent.type === 'NewExpression' && parent.callee === node ? 'new Function' : parent && parent.type === 'CallExpression' && parent.callee === node ? 'Function()' : 'Function';
          escape(node, construct, 'reaches the Function constructor, which runs any code', FUNCTION_FIX);
        } else if (isFree(node, 'process')) {
          const env = parent && parent.type === 'MemberExpression' && parent.object === node && keyOf(parent) === 'env';
          add(node, env ? 'process.env' : 'process', 'env');
        } else if (isFree(node, 'require')) {
          if (!(parent && parent.type === 'CallExpression' && parent.callee === node)) {
            escape(node, 'require as a value', 'uses require other than as require(\'name\'): a module loaded so is hidden from the check (and from the bundle)', "call require('name') with the module's literal name");
          }
        } else if (isFree(node) && (MODULE_NAMES.indexOf(name) >= 0 || name === 'constructor')) {
          escape(node, name, name === 'constructor' ? 'names `constructor` as a variable (under `with`): it reaches the Function constructor' : `uses \`${name}\`, which reaches the module system (${name}.require, ${name}.constructor)`, name === 'constructor' ? FUNCTION_FIX : "call require('name') with the module's literal name");
        }
        break;
      }
      case 'MemberExpression': {
        const key = keyOf(node);
        if (isGlobalRef(node)) checkGlobalUse(node, ancestors);
        if (key !== undefined && (FUNCTION_PATHS.indexOf(key) >= 0 || REFLECTION.indexOf(key) >= 0)) {
          escape(node, `.${key}`, key === 'constructor'
            ? `reads .constructor (${src(node)}): from any function it is the Function constructor, which runs any code`
            : `uses ${key} (${src(node)}), which lists or unwraps properties and can reach the Function constructor`, FUNCTION_FIX);
        }
        if (key === undefined && node.computed && isBuiltinObject(node.object, isFree)) {
          escape(node, src(node), `indexes a built-in object with a computed key (${src(node)}): it may name \`constructor\`, the Function constructor`, 'use a literal property name');
        }
        if (key === 'body' && isRequestOf(node.object)) add(node, 'ctx.request.body', 'body');
        if (key === 'setOrigin') add(node, 'ctx.setOrigin', 'origin');
        if (key === 'createHash') add(node, 'crypto.createHash', 'crypto:hash');
        if (key === 'createHmac') add(node, 'crypto.createHmac', 'crypto:hmac');
        if (key !== undefined && VERIFY_METHODS.indexOf(key) >= 0) add(node, `crypto.${key}`, 'crypto:verify');
        if (key === 'kvs' || key === 'kvsGet') add(node, 'KeyValueStore', 'kvs');
        break;
      }
      case 'ObjectPattern':
        // `const { constructor: C } = []`: a key read as a destructured name.
        for (const p of node.properties as Node[]) {
          if (p.type !== 'Property') continue;
          const key = p.computed ? fold(p.key) : p.key.name ?? String(p.key.value);
          if (key !== undefined && (FUNCTION_PATHS.indexOf(key) >= 0 || REFLECTION.indexOf(key) >= 0)) {
            escape(p, `{ ${key} } =`, `destructures ${key} (${src(node)}), which can reach the Function constructor`, FUNCTION_FIX);
          }
        }
        break;
      case 'Literal': case 'TemplateLiteral': case 'BinaryExpression': {
        // A key of a member read is judged there (`.constructor`).
        if (parent && parent.type === 'MemberExpression' && parent.computed && parent.property === node) break;
        const value = node.type === 'BinaryExpression' && node.operator !== '+' ? undefined : fold(node);
        if (value !== undefined && (FUNCTION_PATHS.indexOf(value) >= 0 || REFLECTION.indexOf(value) >= 0)) {
          escape(node, `'${value}'`, `spells '${value}' (${src(node)}), a key that leads to the Function constructor (Reflect.get, obj[key])`, FUNCTION_FIX);
        }
        break;
      }
      case 'CallExpression': {
        if (!isFree(node.callee, 'require')) break;
        const name = fold(node.arguments[0]);
        if (name === undefined || node.arguments[0].type === 'SpreadElement') {
          escape(node, 'require(<computed>)', 'calls require with a computed name: the bundle can only include modules named by a string literal, and the check cannot tell what it loads', "require each module by its literal name (require('jose'))");
        } else {
          addModule(node, `require('${name}')`, name);
        }
        break;
      }
      case 'ImportExpression': {
        add(node, 'import()', 'async');
        const name = fold(node.source);
        if (name === undefined) {
          escape(node, 'import(<computed>)', 'calls import() with a computed name: the check cannot tell what it loads', "import each module by its literal name (import('jose'))");
        } else {
          addModule(node, `import('${name}')`, name);
        }
        break;
      }
    }
  });
  return out;

  function addModule(node: Node, construct: string, name: string) {
    const module = name.replace(/^node:/, '');
    const base = module.split('/')[0];
    if (/^[a-z][a-z0-9+.-]*:/i.test(module)) {
      escape(node, construct, `loads a module from a URL (${construct}), whose code the check never sees`, 'install the module and load it by its package name');
      return;
    }
    if (ESCAPE_MODULES.indexOf(base) >= 0) {
      add(node, construct, undefined, { module, escape: { why: `loads ${base} (${construct}), which runs code or processes beyond any capability`, fix: `remove ${construct}` } });
      return;
    }
    const capability: Capability | undefined =
      NETWORK_MODULES.indexOf(base) >= 0 ? 'network' : FS_MODULES.indexOf(base) >= 0 ? 'fs' : base === 'process' ? 'env' : base === 'timers' ? 'async' : undefined;
    add(node, construct, capability, { module });
  }
}

function isRequestOf(node: Node): boolean {
  return node.type === 'MemberExpression' && (node.property.name === 'request' || node.property.value === 'request');
}

/** `[]`, `{}`, a function, a string, or a built-in constructor (Array, Object...): where `x[k]` may be `constructor`. */
function isBuiltinObject(node: Node, isFree: (node: Node, name?: string) => boolean): boolean {
  if (['ArrayExpression', 'ObjectExpression', 'FunctionExpression', 'ArrowFunctionExpression', 'ClassExpression', 'Literal', 'TemplateLiteral'].indexOf(node.type) >= 0) return true;
  if (node.type === 'Identifier' && isFree(node)) {
    const g = (globalThis as Record<string, unknown>)[node.name];
    return typeof g === 'function';
  }
  return false;
}

/** Names bound once, by `const`, to an expression that folds to a string: their values. */
function constStrings(ast: Node): Map<string, string> {
  const inits = new Map<string, Node | null>();
  const bindings = new Map<string, number>();
  const count = (name: string) => bindings.set(name, (bindings.get(name) ?? 0) + 1);
  fullAncestor(ast as never, (n: any) => {
    const node = n as Node;
    if (node.type === 'VariableDeclaration') {
      for (const d of node.declarations as Node[]) {
        for (const name of patternNames(d.id)) count(name);
        if (d.id.type === 'Identifier') inits.set(d.id.name, node.kind === 'const' ? d.init : null);
      }
    } else if (node.type === 'FunctionExpression' || node.type === 'FunctionDeclaration' || node.type === 'ArrowFunctionExpression') {
      for (const p of node.params as Node[]) for (const name of patternNames(p)) count(name);
      if (node.id) count(node.id.name);
    } else if (node.type === 'CatchClause' && node.param) {
      for (const name of patternNames(node.param)) count(name);
    } else if (node.type === 'ClassDeclaration' && node.id) {
      count(node.id.name);
    }
  });
  const out = new Map<string, string>();
  // A const may be folded from other consts: a few rounds settle any chain a hook writes.
  for (let round = 0; round < 8; round++) {
    for (const [name, init] of inits) {
      if (bindings.get(name) !== 1 || !init || out.has(name)) continue;
      const value = foldString(init, out);
      if (value !== undefined) out.set(name, value);
    }
  }
  return out;
}

function patternNames(node: Node | null): string[] {
  if (!node) return [];
  switch (node.type) {
    case 'Identifier': return [node.name];
    case 'ObjectPattern': return (node.properties as Node[]).flatMap((p) => patternNames(p.type === 'RestElement' ? p.argument : p.value));
    case 'ArrayPattern': return (node.elements as (Node | null)[]).flatMap((e) => patternNames(e));
    case 'RestElement': return patternNames(node.argument);
    case 'AssignmentPattern': return patternNames(node.left);
    default: return [];
  }
}

/** The string an expression of literals spells (`'pro' + 'cess'`, a template, a folded const), or undefined. */
function foldString(node: Node | null | undefined, consts: Map<string, string>): string | undefined {
  if (!node) return undefined;
  switch (node.type) {
    case 'Literal':
      return typeof node.value === 'string' || typeof node.value === 'number' || typeof node.value === 'boolean' ? String(node.value) : node.value === null && !node.regex ? 'null' : undefined;
    case 'TemplateLiteral': {
      let s = '';
      for (let i = 0; i < node.quasis.length; i++) {
        const cooked = node.quasis[i].value.cooked;
        if (typeof cooked !== 'string') return undefined;
        s += cooked;
        if (i < node.expressions.length) {
          const v = foldString(node.expressions[i], consts);
          if (v === undefined) return undefined;
          s += v;
        }
      }
      return s;
    }
    case 'BinaryExpression': {
      if (node.operator !== '+') return undefined;
      const l = foldString(node.left, consts);
      const r = l === undefined ? undefined : foldString(node.right, consts);
      return l === undefined || r === undefined ? undefined : l + r;
    }
    case 'Identifier':
      return consts.get(node.name);
    case 'SequenceExpression':
      return foldString(node.expressions[node.expressions.length - 1], consts);
    case 'ArrayExpression':
      // `obj[['constructor']]`: a one-element array becomes its element as a key.
      return node.elements.length === 1 && node.elements[0] && node.elements[0].type !== 'SpreadElement' ? foldString(node.elements[0], consts) : undefined;
    default:
      return undefined;
  }
}
