import { describe, expect, it } from 'vitest';
import { scanHook } from './scan.js';

const constructs = (src: string) => scanHook(src).map((f) => `${f.construct}:${f.capability ?? '-'}`).sort();

describe('scanHook', () => {
  it('finds network, async, fs, env and forbidden constructs', () => {
    expect(constructs('async function (ctx) { await fetch("http://x") }')).toEqual(['async function:async', 'await:async', 'fetch:network']);
    expect(constructs('function (ctx) { require("fs").readFileSync("/etc/passwd") }')).toEqual(["require('fs'):fs"]);
    expect(constructs('(ctx) => { ctx.request.headers.set("a", process.env.SECRET) }')).toEqual(['process.env:env']);
    expect(constructs('function (ctx) { eval("1"); new Function("return 1") }')).toEqual(['eval:-', 'new Function:-']);
    expect(constructs('function (ctx) { return ctx.request.body.data }')).toEqual(['ctx.request.body:body']);
  });

  it('classifies crypto by what is called', () => {
    expect(constructs('function (c) { var k = require("crypto"); k.createHash("md5"); k.createHmac("sha256", "s") }')).toEqual([
      'crypto.createHash:crypto:hash', 'crypto.createHmac:crypto:hmac', "require('crypto'):-",
    ]);
    expect(constructs('function (c) { require("node:crypto").createVerify("RSA-SHA256") }')).toContain('crypto.createVerify:crypto:verify');
  });

  it('accepts a method-shorthand hook turned into a function and a plain hook with nothing to report', () => {
    expect(scanHook('function request(ctx, config) { ctx.request.uri = config.uri }')).toEqual([]);
  });
});

/** What the scan reports for a hook, as `construct:capability`, `!` marking what no capability allows. */
const judged = (src: string) => scanHook(src).map((f) => `${f.construct}:${f.capability ?? '-'}${f.escape ? '!' : ''}`);

describe('security: capability check', () => {
  // Each attempt reaches the environment (the function role's AWS credentials on Lambda@Edge), the
  // file system, the network or arbitrary code without naming it; each must be reported, either
  // under the capability it reaches or as an escape (`!`), which every target rejects.
  const blocked: [string, string, string][] = [
    // The five of issue 12.
    ['computed key on globalThis', 'function (ctx) { ctx.request.headers.set("x", globalThis["pro" + "cess"].env.AWS_SECRET_ACCESS_KEY) }', 'globalThis["pro" + "cess"].env:env'],
    ['the Function constructor from an array', 'function () { return [].constructor.constructor("return process.env")() }', '.constructor:-!'],
    ['require aliased', 'function () { const r = require; r("fs") }', 'require as a value:-!'],
    ['import() of a literal module', 'async function () { await import("fs") }', "import('fs'):fs"],
    ['computed fetch', 'function () { globalThis["fe" + "tch"]("http://x") }', 'globalThis["fe" + "tch"]:network'],
    // Globals reached by another name.
    ['global', 'function () { return global.process.env.SECRET }', 'global.process.env:env'],
    ['self', 'function () { return self.fetch("http://x") }', 'self.fetch:network'],
    ['window, literal computed key', 'function () { return window["process"] }', 'window["process"]:env'],
    ['globalThis.globalThis', 'function () { return globalThis.globalThis.process }', 'globalThis.globalThis.process:env'],
    ['optional chain', 'function () { return globalThis?.["pro" + "cess"] }', 'globalThis?.["pro" + "cess"]:env'],
    ['template key', 'function () { return globalThis[`pro${"cess"}`].env }', 'globalThis[`pro${"cess"}`].env:env'],
    ['key in a const', 'function () { const k = "pro" + "cess"; return globalThis[k].env }', 'globalThis[k].env:env'],
    ['key from the request', 'function (ctx) { return globalThis[ctx.request.uri] }', 'globalThis[ctx.request.uri]:-!'],
    ['key in a let', 'function () { let k = "fetch"; return globalThis[k] }', 'globalThis[k]:-!'],
    ['this at the top of a hook', 'function () { return this.process.env }', 'this.process.env:env'],
    ['this with a computed key', 'function (ctx) { return this[ctx.request.uri] }', 'this[ctx.request.uri]:-!'],
    ['this from a plain call', 'function () { return (function () { return this; })().process }', 'this as a value:-!'],
    ['a const alias of this', 'function () { const t = this; return t.fetch("http://x") }', 't.fetch:network'],
    ['a const alias, then a computed key', 'function (ctx) { const g = globalThis; const h = g; return h[ctx.x] }', 'h[ctx.x]:-!'],
    ['a let alias', 'function () { let g = globalThis; return g }', 'globalThis as a value:-!'],
    ['passed as a value', 'function () { return Reflect.get(globalThis, "process") }', 'globalThis as a value:-!'],
    ['spread', 'function () { return { ...globalThis }.process }', 'globalThis as a value:-!'],
    ['destructured', 'function () { const { process: p } = globalThis; return p.env }', 'globalThis as a value:-!'],
    ['a default parameter', 'function (ctx, config, g = globalThis) { return g.process }', 'globalThis as a value:-!'],
    ['globalThis.eval', 'function () { return globalThis.eval("process") }', 'globalThis.eval:-!'],
    ['globalThis.Function', 'function () { return globalThis.Function("return process")() }', 'globalThis.Function:-!'],
    ['globalThis.require', 'function () { return globalThis.require("fs") }', 'globalThis.require:-!'],
    ['process as a value', 'function () { const p = process; return p.env }', 'process:env'],
    // require and import().
    ['require.call', 'function () { return require.call(null, "fs") }', 'require as a value:-!'],
    ['(0, require)', 'function () { return (0, require)("fs") }', 'require as a value:-!'],
    ['require.main.require', 'function () { return require.main.require("fs") }', 'require as a value:-!'],
    ['require in an array', 'function () { return [require][0]("fs") }', 'require as a value:-!'],
    ['require of a computed name', 'function (ctx) { return require("f" + ctx.request.uri) }', 'require(<computed>):-!'],
    ['require of a template', 'function () { return require(`f${"s"}`) }', "require('fs'):fs"],
    ['require of node:process', 'function () { return require("node:process").env }', "require('node:process'):env"],
    ['require of child_process', 'function () { return require("child_process").execSync("env") }', "require('child_process'):-!"],
    ['require of vm', 'function () { return require("vm").runInThisContext("process") }', "require('vm'):-!"],
    ['require of module', 'function () { return require("module").createRequire("/")("fs") }', "require('module'):-!"],
    ['require of timers', 'function () { require("node:timers").setTimeout(() => 1, 1) }', "require('node:timers'):async"],
    ['require of worker_threads', 'function () { return require("worker_threads") }', "require('worker_threads'):-!"],
    ['import() of a computed name', 'async function (ctx) { return import(ctx.request.uri) }', 'import(<computed>):-!'],
    ['import() of a data: URL', 'async function () { return import("data:text/javascript,export default process.env") }', "import('data:text/javascript,export default process.env'):-!"],
    ['import() of fs/promises', 'async function () { return import("node:fs/promises") }', "import('node:fs/promises'):fs"],
    ['module.require', 'function () { return module.require("fs") }', 'module:-!'],
    ['module.constructor._load', 'function () { return module.constructor._load("fs") }', 'module:-!'],
    ['exports', 'function () { exports.handler = null }', 'exports:-!'],
    // The Function constructor and eval.
    ['Function()', 'function () { return Function("return process")() }', 'Function():-!'],
    ['new Function', 'function () { return new Function("return process")() }', 'new Function:-!'],
    ['Function.prototype.call.call', 'function () { return Function.prototype.call.call(Function, null, "return process")() }', 'Function:-!'],
    ['Reflect.construct(Function)', 'function () { return Reflect.construct(Function, ["return process"])() }', 'Function:-!'],
    ['Reflect.get(x, "constructor")', 'function () { return Reflect.get(Reflect.get([], "constructor"), "constructor") }', "'constructor':-!"],
    ['constructor spelled in pieces', 'function () { return []["constr" + "uctor"]["constr" + "uctor"]("return process")() }', '.constructor:-!'],
    ['constructor in a const key', 'function () { const k = "constr" + "uctor"; return [][k][k]("return process")() }', '.constructor:-!'],
    ['a built-in indexed by a run-time key', 'function (ctx) { const k = ctx.request.uri; return [][k][k]("return process")() }', '[][k]:-!'],
    ['Array indexed by a run-time key', 'function (ctx) { return Array[ctx.request.uri]("return process")() }', 'Array[ctx.request.uri]:-!'],
    ['arguments.callee.constructor', 'function () { return arguments.callee.constructor("return process")() }', '.constructor:-!'],
    ['arguments.callee.caller', 'function () { return arguments.callee.caller }', '.caller:-!'],
    ['an async function\'s constructor', 'function () { return (async () => {}).constructor("return process")() }', '.constructor:-!'],
    ['Object.getPrototypeOf(...).constructor', 'function () { return Object.getPrototypeOf(function* () {}).constructor("yield process")().next() }', '.constructor:-!'],
    ['globalThis.constructor', 'function () { return globalThis.constructor.constructor("return process")() }', '.constructor:-!'],
    ['ctx method constructor', 'function (ctx) { return ctx.respond.constructor("return process")() }', '.constructor:-!'],
    ['destructured constructor', 'function () { const { constructor: C } = () => 1; return C("return process")() }', '{ constructor } =:-!'],
    ['destructured computed constructor', 'function () { const { ["constr" + "uctor"]: C } = () => 1; return C("return process")() }', '{ constructor } =:-!'],
    ['__lookupGetter__', 'function () { return ({}).__lookupGetter__("__proto__") }', '.__lookupGetter__:-!'],
    ['getOwnPropertyNames', 'function () { return Object.getOwnPropertyNames(Object.getPrototypeOf(() => 1)) }', '.getOwnPropertyNames:-!'],
    ['getOwnPropertyDescriptors', 'function () { return Object.values(Object.getOwnPropertyDescriptors(Object.getPrototypeOf(() => 1))) }', '.getOwnPropertyDescriptors:-!'],
    ['Reflect.ownKeys', 'function () { return Reflect.ownKeys(Object.getPrototypeOf(() => 1)) }', '.ownKeys:-!'],
    ['Error.prepareStackTrace (frames give this)', 'function () { Error.prepareStackTrace = (e, s) => s; return new Error().stack[0].getThis() }', '.prepareStackTrace:-!'],
    ['eval', 'function () { return eval("process") }', 'eval:-!'],
    ['indirect eval', 'function () { return (0, eval)("process") }', 'eval:-!'],
    ['eval aliased', 'function () { const e = eval; return e("process") }', 'eval:-!'],
    ['with', 'function () { with ([]) with (constructor) return constructor("return process")() }', 'with:-!'],
  ];

  for (const [label, src, expected] of blocked) {
    it(`blocks ${label}`, () => {
      expect(judged(src)).toContain(expected);
    });
  }

  it('keeps legitimate code clean', () => {
    const clean = [
      // The built-in middleware keep per-container caches on the global object through a const.
      'function (ctx, config) { const g = globalThis; const memo = g.__edgelineJwks || (g.__edgelineJwks = new WeakMap()); memo.get(config); }',
      'function (ctx) { ctx.request.headers.set("x-this", String(this === null)); }',
      'function (ctx) { if (typeof globalThis !== "undefined" && "x" in globalThis) ctx.request.uri = "/"; }',
      'function (ctx, config) { const v = ctx.request.headers.get(config.header); if (v && config.map[v]) ctx.request.uri = config.map[v][0]; }',
      'function (ctx, config) { for (const k in config.headers) if (Object.prototype.hasOwnProperty.call(config.headers, k)) ctx.response.headers.set(k, config.headers[k]); }',
      'function (ctx) { const self = { n: 1 }; const global = self; ctx.request.uri = "/" + global.n; }',
      'function (ctx) { const constructorName = "x"; ctx.request.uri = "/" + constructorName; }',
      'function (ctx) { const o = { constructor: 1 }; ctx.request.uri = "/" + Object.keys(o).length; }',
    ];
    for (const src of clean) expect(judged(src), src).toEqual([]);
  });

  it('leaves what it cannot follow to the README (not a sandbox): a key built at run time on an ordinary object', () => {
    // Documented limit: `o[k]` with k computed at run time may name any property. The check
    // keeps honest code honest; it does not contain a middleware written to escape it.
    expect(judged('function (ctx) { const o = []; const k = ["constr", "uctor"].join(""); return o[k][k]("return 1")(); }')).toEqual([]);
  });
});
