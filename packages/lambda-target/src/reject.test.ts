import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, Pipeline, defineMiddleware, type Middleware, type Violation } from '@edgeline/core';
import { buildLambda, type LambdaBuildOptions } from './index.js';

async function reject(middleware: Middleware[], options: Partial<LambdaBuildOptions> = {}): Promise<Violation[]> {
  const result = await buildLambda({ ...options, pipeline: pipelineOf(middleware) });
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.violations;
}

function pipelineOf(middleware: Middleware[]): Pipeline<never> {
  return new Pipeline<never>(middleware);
}

describe('buildLambda rejects', () => {
  it('a middleware that reads process.env, by name, with the fix', async () => {
    const readsEnv = defineMiddleware({ name: 'readsEnv', needs: [], request(ctx) { ctx.request.headers.set('x-key', process.env.API_KEY || ''); } });
    const [v, ...rest] = await reject([defineMiddleware({ name: 'fine', needs: [], request() {} }), readsEnv]);
    expect(rest).toEqual([]);
    expect(v).toMatchObject({ middleware: 'readsEnv', capability: 'env', construct: 'process.env', target: 'lambda' });
    expect(v.why).toMatch(/no environment variables/);
    expect(v.fix).toMatch(/option/);
  });

  it('any use of process, and a declared env need', async () => {
    const exits = defineMiddleware({ name: 'exits', needs: [], response() { process.exit(1); } });
    expect(await reject([exits])).toMatchObject([{ middleware: 'exits', capability: 'env', construct: 'process' }]);
    const declares = defineMiddleware({ name: 'declares', needs: ['env'] as never[], request() {} });
    expect(await reject([declares])).toMatchObject([{ middleware: 'declares', capability: 'env' }]);
  });

  it('a construct whose capability the middleware does not declare', async () => {
    const sneaky = defineMiddleware({ name: 'sneaky', needs: ['async'], async request() { await fetch('http://127.0.0.1:9/'); } });
    const [v] = await reject([sneaky]);
    expect(v).toMatchObject({ middleware: 'sneaky', capability: 'network', construct: 'fetch' });
    expect(v.why).toContain("uses fetch but the middleware does not declare 'network'");
    const hashes = defineMiddleware({ name: 'hashes', needs: [], request(ctx) { ctx.request.headers.set('x', require('crypto').createHash('sha256').update('a').digest('hex')); } });
    expect(await reject([hashes])).toMatchObject([{ middleware: 'hashes', capability: 'crypto:hash' }]);
  });

  it('what Lambda@Edge does not offer (KeyValueStore), from the plan', async () => {
    const kvs = defineMiddleware({ name: 'kvsReader', needs: ['kvs'] as never[], async request(ctx) { await ctx.kvs('k'); } });
    expect(await reject([kvs])).toMatchObject([{ middleware: 'kvsReader', capability: 'kvs' }]);
  });

  it('a computed require, and a module that is not installed, naming the middleware', async () => {
    const computed = defineMiddleware({ name: 'computed', needs: [], request(ctx) { require('./' + ctx.request.uri); } });
    expect(await reject([computed])).toMatchObject([{ middleware: 'computed', capability: null, construct: 'require(<computed>)' }]);
    const missing = defineMiddleware({ name: 'missing', needs: [], request() { require('edgeline-no-such-package'); } });
    const [v] = await reject([missing]);
    expect(v).toMatchObject({ middleware: 'missing', construct: "require('edgeline-no-such-package')" });
    expect(v.fix).toContain('npm install edgeline-no-such-package');
  });

  it('an artifact over the zipped limit of its trigger, with a size breakdown', async () => {
    // Random text barely compresses: 1.5 MB of base64 is about 1.1 MB zipped, over the 1 MB of viewer triggers.
    const blob = randomBytes(1_100_000).toString('base64');
    const heavy = defineMiddleware({ name: 'heavy', needs: [], config: { blobs: [blob] }, request(ctx, config) { ctx.request.headers.set('x-len', String(config.blobs[0].length)); } });
    const light = defineMiddleware({ name: 'light', needs: [], response(ctx) { ctx.response.headers.set('x-light', '1'); } });
    const [v, ...rest] = await reject([light, heavy]);
    expect(rest).toEqual([]);
    expect(v).toMatchObject({ middleware: 'heavy, light', construct: 'size', capability: null });
    expect(v.why).toMatch(/viewer-request artifact is \d+ B zipped, over the 1048576 B/);
    expect(v.why).toMatch(/heavy \(config\): 14666\d\d B/);
    expect(v.why).toMatch(/heavy \(request hook\): \d+ B/);
    expect(v.why).toMatch(/runtime: \d+ B/);
    expect(v.why).not.toMatch(/light \(config\)/);
    // The same middleware fits an origin trigger (50 MB).
    const atOrigin = defineMiddleware({
      name: 'heavyAtOrigin', needs: [], config: { blob }, runsAt: { request: ['origin-request'] },
      request(ctx, config) { ctx.request.headers.set('x-len', String(config.blob.length)); },
    });
    const ok = await buildLambda({ pipeline: pipelineOf([atOrigin]) });
    expect(ok.ok).toBe(true);
  });

  it('bad build options, at once', async () => {
    const p = pipelineOf([defineMiddleware({ name: 'm', needs: [], request() {} })]);
    await expect(buildLambda({ pipeline: p, node: 'nodejs18.x' as never })).rejects.toBeInstanceOf(ConfigError);
    await expect(buildLambda({ pipeline: p, deadlineMs: 0 })).rejects.toMatchObject({ code: 'ERR_EDGE_CONFIG', option: 'deadlineMs' });
  });

  it('builds for nodejs22.x by default and nodejs24.x on request; refuses nodejs20.x with the date AWS deprecated it', async () => {
    const p = pipelineOf([defineMiddleware({ name: 'm', needs: [], request(ctx) { ctx.request.headers.set('x-m', '1'); } })]);
    const byDefault = await buildLambda({ pipeline: p });
    expect(byDefault.ok && byDefault.artifacts[0].runtime).toBe('nodejs22.x');
    const on24 = await buildLambda({ pipeline: p, node: 'nodejs24.x' });
    expect(on24.ok && on24.artifacts[0].runtime).toBe('nodejs24.x');
    const retired = buildLambda({ pipeline: p, node: 'nodejs20.x' as never });
    await expect(retired).rejects.toMatchObject({ code: 'ERR_EDGE_CONFIG', option: 'node' });
    await expect(retired).rejects.toThrow(/nodejs20\.x on 2026-04-30/);
  });
});

/** A hook from source text, exactly as written (no transform touches it). */
const hook = (source: string) => (0, eval)(`(${source})`) as (...args: never[]) => unknown;

describe('security: capability check', () => {
  // On Lambda@Edge process.env holds the function role's AWS credentials. Each of these built
  // without declaring anything (issue 12, item 5) or is the same kind of walk-around; each is a
  // build error naming the middleware and the construct.
  const attempts: [string, string[], string, Partial<Violation>][] = [
    ['computedProcess', [], 'function (ctx) { ctx.request.headers.set("x-k", globalThis["pro" + "cess"].env.AWS_SECRET_ACCESS_KEY) }', { capability: 'env', construct: 'globalThis["pro" + "cess"].env' }],
    ['functionCtor', [], 'function (ctx) { ctx.request.headers.set("x-k", JSON.stringify([].constructor.constructor("return process.env")())) }', { capability: null, construct: '.constructor' }],
    ['aliasedRequire', [], 'function () { const r = require; r("fs") }', { capability: null, construct: 'require as a value' }],
    ['importsFs', ['async'], 'async function () { await import("fs") }', { capability: 'fs', construct: "import('fs')" }],
    ['computedFetch', [], 'function () { globalThis["fe" + "tch"]("http://127.0.0.1:9/") }', { capability: 'network', construct: 'globalThis["fe" + "tch"]' }],
    ['thisProcess', [], 'function (ctx) { ctx.request.headers.set("x-k", this.process.env.AWS_SECRET_ACCESS_KEY) }', { capability: 'env', construct: 'this.process.env' }],
    ['globalFetch', ['async'], 'async function () { await global.fetch("http://127.0.0.1:9/") }', { capability: 'network', construct: 'global.fetch' }],
    ['newFunction', [], 'function () { new Function("return process.env")() }', { capability: null, construct: 'new Function' }],
    ['indirectEval', [], 'function () { (0, eval)("process.env") }', { capability: null, construct: 'eval' }],
    ['callCall', [], 'function () { Function.prototype.call.call(Function, null, "return process")() }', { capability: null, construct: 'Function' }],
    ['asyncCtor', ['async'], 'async function () { await (async () => {}).constructor("return process.env")() }', { capability: null, construct: '.constructor' }],
    ['protoCtor', [], 'function () { Object.getPrototypeOf(function () {}).constructor("return process")() }', { capability: null, construct: '.constructor' }],
    ['reflectCtor', [], 'function () { Reflect.get(Reflect.get([], "constructor"), "constructor")("return process")() }', { capability: null, construct: "'constructor'" }],
    ['calleeCtor', [], 'function () { arguments.callee.constructor("return process")() }', { capability: null, construct: '.constructor' }],
    ['globalCtor', [], 'function () { globalThis.constructor.constructor("return process")() }', { capability: null, construct: '.constructor' }],
    ['withCtor', [], 'function () { with ([]) with (constructor) constructor("return process")() }', { capability: null, construct: 'with' }],
    ['requestKey', [], 'function (ctx) { ctx.request.headers.set("x-k", String(globalThis[ctx.request.uri])) }', { capability: null, construct: 'globalThis[ctx.request.uri]' }],
    ['requireCall', [], 'function () { require.call(null, "fs") }', { capability: null, construct: 'require as a value' }],
    ['requireMain', [], 'function () { require.main.require("fs") }', { capability: null, construct: 'require as a value' }],
    ['nodeProcess', [], 'function (ctx) { ctx.request.headers.set("x-k", require("node:process").env.AWS_SECRET_ACCESS_KEY) }', { capability: 'env', construct: "require('node:process')" }],
    ['childProcess', [], 'function () { require("child_process").execSync("env") }', { capability: null, construct: "require('child_process')" }],
    ['dataUrl', ['async'], 'async function () { await import("data:text/javascript,export default process.env") }', { capability: null, construct: "import('data:text/javascript,export default process.env')" }],
    ['computedImport', ['async'], 'async function (ctx) { await import(ctx.request.uri) }', { capability: null, construct: 'import(<computed>)' }],
    ['stackFrames', [], 'function () { Error.prepareStackTrace = (e, s) => s; new Error().stack[0].getThis() }', { capability: null, construct: '.prepareStackTrace' }],
  ];

  for (const [name, needs, source, expected] of attempts) {
    it(`rejects ${name} (${expected.construct})`, async () => {
      const mw = defineMiddleware({ name, needs: needs as never[], request: hook(source) as never });
      const violations = await reject([mw]);
      expect(violations.find((v) => v.construct === expected.construct), JSON.stringify(violations)).toMatchObject({ middleware: name, target: 'lambda', ...expected });
    });
  }

  it('tells the user to use a literal name', async () => {
    const [v] = await reject([defineMiddleware({ name: 'computedFetch', needs: ['network', 'async'], request: hook('async function () { await globalThis[["fe", "tch"].join("")]("http://x") }') as never })]);
    expect(v).toMatchObject({ middleware: 'computedFetch', capability: null });
    expect(v.fix).toMatch(/literal name/);
  });

  it('still builds a declared fetch and a per-container cache on globalThis, as jwtVerify keeps', async () => {
    const ok = defineMiddleware({
      name: 'cachesOnGlobal', needs: ['network', 'async'],
      request: hook('async function (ctx) { const g = globalThis; const m = g.__cache || (g.__cache = new Map()); if (!m.has(1)) m.set(1, typeof fetch); ctx.request.headers.set("x-f", String(m.get(1))); }') as never,
    });
    const result = await buildLambda({ pipeline: pipelineOf([ok]) });
    expect(result.ok, JSON.stringify(!result.ok && result.violations)).toBe(true);
  });
});
