import { describe, expect, it } from 'vitest';
import { Pipeline, defineMiddleware, type Capability, type CfRuntime, type Middleware, type Violation } from '@edgeline/core';
import { buildCf } from './index.js';

/** A hook from source text, exactly as written (no transform touches it). */
const hook = (source: string) => (0, eval)(`(${source})`) as (...args: never[]) => unknown;

async function rejectCf(mw: Middleware, runtime: CfRuntime): Promise<Violation[]> {
  const result = await buildCf({ pipeline: new Pipeline<never>([mw]) as never, runtime });
  expect(result.ok, `${mw.name} built on ${runtime}`).toBe(false);
  return result.ok ? [] : result.violations;
}

function attempt(name: string, needs: string[], request: string): Middleware {
  return defineMiddleware({ name, needs: needs as Capability[] as never[], request: hook(request) as never });
}

describe('security: capability check', () => {
  // Built without declaring anything, each reached the environment, fs, the network or arbitrary
  // code (issue 12, item 5, and more of the same kind). Each is a build error naming the
  // middleware and the construct, before any artifact is checked. (`module` and `exports` never
  // get this far: hookSource refuses them as names from outside the hook.)
  const attempts: [string, string[], string, string][] = [
    ['computedProcess', [], 'function (ctx) { ctx.request.headers.set("x", globalThis["pro" + "cess"].env.AWS_SECRET_ACCESS_KEY) }', 'globalThis["pro" + "cess"].env'],
    ['functionCtor', [], 'function (ctx) { ctx.request.headers.set("x", String([].constructor.constructor("return process.env")())) }', '.constructor'],
    ['aliasedRequire', [], 'function () { const r = require; r("fs") }', 'require as a value'],
    ['computedFetch', [], 'function () { globalThis["fe" + "tch"]("http://127.0.0.1:9/") }', 'globalThis["fe" + "tch"]'],
    ['thisProcess', [], 'function (ctx) { ctx.request.headers.set("x", this.process.env.SECRET) }', 'this.process.env'],
    ['indirectEval', [], 'function () { (0, eval)("1") }', 'eval'],
    ['callCall', [], 'function () { Function.prototype.call.call(Function, null, "return 1")() }', 'Function'],
    ['calleeCtor', [], 'function () { arguments.callee.constructor("return 1")() }', '.constructor'],
    ['withCtor', [], 'function () { with ([]) with (constructor) constructor("return 1")() }', 'with'],
    ['templateKey', [], 'function (ctx) { ctx.request.headers.set("x", String(globalThis[`pro${"cess"}`])) }', 'globalThis[`pro${"cess"}`]'],
    // The scan reads the hook as lowered (ctx.request is the event's request, __r).
    ['requestKey', [], 'function (ctx) { ctx.request.headers.set("x", String(globalThis[ctx.request.uri])) }', 'globalThis[__r.uri]'],
    ['lookupGetter', [], 'function () { ({}).__lookupGetter__("__proto__") }', '.__lookupGetter__'],
    ['reflectCtor', [], 'function () { Reflect.get([], "constr" + "uctor") }', "'constructor'"],
  ];

  for (const runtime of ['cloudfront-js-1.0', 'cloudfront-js-2.0'] as const) {
    for (const [name, needs, source, construct] of attempts) {
      it(`${runtime}: rejects ${name} (${construct})`, async () => {
        const violations = await rejectCf(attempt(name, needs, source), runtime);
        expect(violations.find((v) => v.construct === construct), JSON.stringify(violations)).toMatchObject({ middleware: name, target: runtime });
        for (const v of violations) expect(v.fix).not.toMatch(/Edgeline bug/);
      });
    }
  }

  it("cloudfront-js-2.0: import('fs') with only async declared is the user's error, not an Edgeline bug", async () => {
    const violations = await rejectCf(attempt('importsFs', ['async'], 'async function () { await import("fs") }'), 'cloudfront-js-2.0');
    expect(violations).toEqual(expect.arrayContaining([
      expect.objectContaining({ middleware: 'importsFs', construct: 'import()', capability: null }),
      expect.objectContaining({ middleware: 'importsFs', construct: "import('fs')", capability: 'fs' }),
    ]));
    for (const v of violations) {
      expect(v.fix).not.toMatch(/Edgeline bug/);
      expect(`${v.why} ${v.fix}`).not.toMatch(/report this/);
    }
    // Even a module the runtime has cannot be loaded with import().
    const crypto = await rejectCf(attempt('importsCrypto', ['async'], 'async function () { await import("crypto") }'), 'cloudfront-js-2.0');
    expect(crypto).toMatchObject([{ middleware: 'importsCrypto', construct: 'import()', capability: null }]);
    expect(crypto[0].fix).toMatch(/require\('crypto'\)/);
  });

  it('builds the same hooks written with literal names and no escape', async () => {
    const fine = defineMiddleware({
      name: 'fine', needs: ['crypto:hash'],
      request: hook('function (ctx, config) { const g = this === null; const c = require("crypto"); ctx.request.headers.set("x", c.createHash("md5").update(ctx.request.uri).digest("hex") + String(g)); }') as never,
    });
    const result = await buildCf({ pipeline: new Pipeline<never>([fine]) as never });
    expect(result.ok, JSON.stringify(!result.ok && result.violations)).toBe(true);
  });
});
