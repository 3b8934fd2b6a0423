import { parse } from 'acorn';
import { simple } from 'acorn-walk';
import type { Capability } from '../capability.js';

/** Something a hook's code does that a runtime may lack. */
export interface Finding {
  /** What was seen, as a user would write it: `fetch`, `require('fs')`, `await`, `process.env`. */
  construct: string;
  /** The capability it needs; undefined for what no CloudFront Function may do (eval, new Function). */
  capability: Capability | undefined;
  /** A module name, for `require`. */
  module?: string;
  line: number;
}

const NETWORK_MODULES = ['http', 'https', 'http2', 'net', 'tls', 'dns', 'dgram', 'undici', 'dns/promises'];
const FS_MODULES = ['fs', 'fs/promises'];
const NETWORK_GLOBALS = ['fetch', 'XMLHttpRequest', 'WebSocket'];
const TIMERS = ['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask'];
const VERIFY_METHODS = ['createVerify', 'verify', 'createPublicKey', 'publicDecrypt', 'subtle'];

interface Node {
  type: string;
  loc?: { start: { line: number } };
  [key: string]: any;
}

/**
 * Reads a hook's source (a function expression) and lists what it does that needs a
 * capability, so a build can name the middleware a construct came from.
 */
export function scanHook(source: string): Finding[] {
  const ast = parse(`(${source})`, { ecmaVersion: 'latest', locations: true }) as unknown as Node;
  const out: Finding[] = [];
  const add = (node: Node, construct: string, capability: Capability | undefined, module?: string) => {
    const line = node.loc ? node.loc.start.line : 0;
    if (!out.some((f) => f.construct === construct)) out.push({ construct, capability, module, line });
  };
  const top = (ast.body as Node[])[0].expression as Node;
  if (top.async) add(top, 'async function', 'async');
  simple(ast as any, {
    AwaitExpression(node: any) { add(node, 'await', 'async'); },
    Function(node: any) { if (node.async && node !== top) add(node, 'async function', 'async'); },
    Identifier(node: any) {
      const name: string = node.name;
      if (name === 'Promise') add(node, 'Promise', 'async');
      else if (NETWORK_GLOBALS.indexOf(name) >= 0) add(node, name, 'network');
      else if (TIMERS.indexOf(name) >= 0) add(node, name, 'async');
      else if (name === 'eval') add(node, 'eval', undefined);
    },
    NewExpression(node: any) {
      if (node.callee.type === 'Identifier' && node.callee.name === 'Function') add(node, 'new Function', undefined);
    },
    MemberExpression(node: any) {
      const obj = node.object;
      const prop = node.property && (node.property.name || node.property.value);
      if (obj.type === 'Identifier' && obj.name === 'process') add(node, prop === 'env' ? 'process.env' : 'process', 'env');
      if (prop === 'body' && isRequestOf(obj)) add(node, 'ctx.request.body', 'body');
      if (prop === 'setOrigin') add(node, 'ctx.setOrigin', 'origin');
      if (prop === 'createHash') add(node, 'crypto.createHash', 'crypto:hash');
      if (prop === 'createHmac') add(node, 'crypto.createHmac', 'crypto:hmac');
      if (VERIFY_METHODS.indexOf(prop) >= 0) add(node, `crypto.${prop}`, 'crypto:verify');
      if (prop === 'kvs' || prop === 'kvsGet') add(node, 'KeyValueStore', 'kvs');
    },
    CallExpression(node: any) {
      if (node.callee.type === 'Identifier' && node.callee.name === 'Function') add(node, 'Function()', undefined);
      if (node.callee.type !== 'Identifier' || node.callee.name !== 'require') return;
      const arg = node.arguments[0];
      if (!arg || arg.type !== 'Literal' || typeof arg.value !== 'string') {
        add(node, 'require(<computed>)', undefined);
        return;
      }
      const module = arg.value.replace(/^node:/, '');
      const capability: Capability | undefined = NETWORK_MODULES.indexOf(module) >= 0 ? 'network' : FS_MODULES.indexOf(module) >= 0 ? 'fs' : undefined;
      add(node, `require('${arg.value}')`, capability, module);
    },
    ImportExpression(node: any) { add(node, 'import()', 'async'); },
  });
  return out;
}

function isRequestOf(node: Node): boolean {
  return node.type === 'MemberExpression' && (node.property.name === 'request' || node.property.value === 'request');
}
