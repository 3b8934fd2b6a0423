import { describe, expect, it } from 'vitest';
import { defineMiddleware, edge } from '@edgeline/core';
import { runPipeline, viewerRequest } from '@edgeline/core/testing';
import { buildCf, checkArtifact, hasNjs, runInNjs } from './index.js';
import { es2Lacks, toEs2 } from './syntax-2.js';

const njsInstalled = await hasNjs();

describe('the cloudfront-js-2.0 syntax gate', () => {
  it('accepts ES5 and what 2.0 adds: const, let, arrows, templates, rest parameters, **, async/await, import cf', () => {
    const code = "import cf from 'cloudfront';\nconst a = 1; let b = (...xs) => `${xs.length}` + 2 ** 3;\nasync function handler(event) { const v = await f(); return { get x() { return v; } }; }";
    expect(es2Lacks(code)).toEqual([]);
  });

  const cases: [string, string][] = [
    ['class A {}', 'classes'],
    ['var { a } = o;', 'destructuring'],
    ['var [a] = o;', 'destructuring'],
    ['f(...xs);', 'spread (...)'],
    ['function f(a = 1) {}', 'default parameters'],
    ['for (const x of xs) {}', 'for...of'],
    ['tag`x`;', 'tagged templates'],
    ['function* g() { yield 1; }', 'generators'],
    ['function F() { return new.target; }', 'new.target'],
    ['var o = { a };', 'shorthand properties ({ a })'],
    ['var o = { f() {} };', 'method shorthand ({ f() {} })'],
    ['var o = { [k]: 1 };', 'computed property names ({ [k]: v })'],
    ["import x from 'crypto';", "modules other than `import cf from 'cloudfront'`"],
  ];
  for (const [code, what] of cases) {
    it(`refuses ${what}: ${code}`, () => {
      expect(es2Lacks(code)).toContain(what);
    });
  }

  it('refuses syntax beyond ES2017 (a?.b, ??, catch without a binding)', () => {
    for (const code of ['a?.b;', 'a ?? b;', 'try {} catch {}']) expect(es2Lacks(code)[0]).toMatch(/^syntax beyond ES2017/);
  });

  it('checkArtifact names what 2.0 lacks', () => {
    expect(checkArtifact('function handler(e) { var { a } = e; return a; }', 'cloudfront-js-2.0')).toEqual([
      { check: 'syntax', message: 'uses destructuring, which cloudfront-js-2.0 lacks' },
    ]);
  });
});

describe('toEs2', () => {
  it('writes out object shorthand and methods, async ones included, and nests', () => {
    const out = toEs2('var a = 1, o = { a, f() { return { a }; }, async g(x) { await x; }, "h"() {}, get k() { return 1; } };');
    expect(out).toBe('var a = 1, o = { a: a, f: function() { return { a: a }; }, g: async function(x) { await x; }, "h": function() {}, get k() { return 1; } };');
    expect(es2Lacks(out!)).toEqual([]);
  });

  it('leaves the rest to the ES5 lowering', () => {
    expect(toEs2('var { a } = o; var p = { a };')).toBeUndefined();
    expect(toEs2('var ok = 1;')).toBe('var ok = 1;');
  });
});

describe('2.0 artifacts keep 2.0 syntax', () => {
  const flags = defineMiddleware({
    name: 'flags',
    needs: ['kvs', 'async'],
    async request(ctx) {
      const v = await ctx.kvs('flag');
      if (v === 'off') return ctx.respond({ status: 404, body: 'off' });
      ctx.request.headers.set('x-flag', v || 'none');
    },
  });
  const destructures = defineMiddleware({
    name: 'destructures',
    needs: [],
    request(ctx) {
      const { uri } = ctx.request;
      ctx.request.headers.set('x-uri', uri);
    },
  });

  it('an async KVS hook stays async/await (no ES5 state machine) and runs in njs', async () => {
    const built = await buildCf({ pipeline: edge().use(flags), runtime: 'cloudfront-js-2.0' });
    if (!built.ok) throw new Error(JSON.stringify(built.violations));
    const code = built.artifacts[0].code;
    expect(code).toMatch(/async function handler/);
    expect(code).toMatch(/await /);
    expect(code).not.toMatch(/__awaiter|__generator/);
    expect(es2Lacks(code)).toEqual([]);
    if (njsInstalled) {
      const kvs = { flag: 'off' };
      const [run] = await runInNjs(code, [viewerRequest()], { runtime: 'cloudfront-js-2.0', kvs });
      expect(run.ok && (run.result as { statusCode: number }).statusCode).toBe(404);
      expect(await runPipeline(flags, viewerRequest(), { target: 'cloudfront-js-2.0', kvs })).toMatchObject({ kind: 'respond' });
    }
  });

  it('a hook using what 2.0 lacks (destructuring) is lowered to ES5 and runs', async () => {
    const built = await buildCf({ pipeline: edge().use(destructures), runtime: 'cloudfront-js-2.0' });
    if (!built.ok) throw new Error(JSON.stringify(built.violations));
    const code = built.artifacts[0].code;
    expect(es2Lacks(code)).toEqual([]);
    if (njsInstalled) {
      const [run] = await runInNjs(code, [viewerRequest({ uri: '/a' })], { runtime: 'cloudfront-js-2.0' });
      expect(run.ok && (run.result as { headers: Record<string, { value: string }> }).headers['x-uri'].value).toBe('/a');
    }
  });
});
