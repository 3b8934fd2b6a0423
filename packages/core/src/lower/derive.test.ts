import { describe, expect, it } from 'vitest';
import { defineMiddleware, type Config } from '../middleware.js';
import { appendsToFreshCookies } from './derive-cff.js';
import { deriveCffHooks } from './derive.js';

const derive = (request: (ctx: never, config: never) => unknown, config: Config = {}) =>
  deriveCffHooks(defineMiddleware({ name: 'm', needs: [], config, request: request as never }))?.request;

describe('deriveCffHooks', () => {
  it('turns context reads and writes into event access, and config values into literals', () => {
    const code = derive((ctx: any, config: any) => {
      if (ctx.request.uri === config.path) return ctx.redirect('/to', 301);
      ctx.request.headers.set('X-Seen', ctx.request.headers.get('accept') || config.fallback);
    }, { path: '/from', fallback: 'none' })!;
    expect(code).toContain('__r.uri === ("/from")');
    expect(code).toContain('{ headers: { location: { value: "/to" } }, statusCode: 301 }');
    expect(code).toContain('__r.headers["x-seen"] = { value: (__r.headers["accept"] && __r.headers["accept"].value) || ("none") }');
    expect(code).not.toMatch(/ctx|config/);
    // The handler contract: the request to go on, anything else answers.
    const fn = new Function(`return ${code}`)();
    const request = { uri: '/x', headers: { accept: { value: 'a/b' } } };
    expect(fn(request, {})).toBe(request);
    expect(request.headers).toMatchObject({ 'x-seen': { value: 'a/b' } });
    expect(fn({ uri: '/from', headers: {} }, {})).toEqual({ statusCode: 301, headers: { location: { value: '/to' } } });
  });

  it('reads each object option it uses from a constant of its own; the rest of the config stays out', () => {
    const d = deriveCffHooks(defineMiddleware({
      name: 'm', needs: [], config: { list: ['a', 'b'], unused: { big: 'x'.repeat(100) }, flag: true },
      request(ctx, config) { ctx.request.headers.set('x-list', config.list.join(',') + config.flag); },
    }))!;
    expect(d.request).toContain('CONFIG_list.join(",")');
    expect(d.request).toContain('(true)');
    expect(d.constants).toEqual({ CONFIG_list: ['a', 'b'] });
  });

  it('folds a test of an object option against null: the options decide it at build time', () => {
    const d = deriveCffHooks(defineMiddleware({
      name: 'm', needs: [], config: { deny: { a: 1 } as Record<string, number> | null, allow: null as Record<string, number> | null },
      request(ctx, config) {
        const n = ctx.request.uri;
        if (config.allow !== null && config.allow[n] !== 1) return ctx.respond({ status: 403 });
        if (config.deny !== null && config.deny[n] === 1) return ctx.respond({ status: 404 });
      },
    }))!;
    expect(d.request).not.toMatch(/null|CONFIG_allow/);
    expect(d.request).toContain('CONFIG_deny[n] === 1');
    expect(d.constants).toEqual({ CONFIG_deny: { a: 1 } });
  });

  it('counts the values of a literal header as a hand-writer does when only their number is read', () => {
    const d = deriveCffHooks(defineMiddleware({
      name: 'm', needs: [],
      request(ctx) { if (ctx.request.headers.getAll('Authorization').length !== 1) return ctx.respond({ status: 401 }); },
    }))!;
    const e = '__r.headers["authorization"]';
    expect(d.request).toContain(`(${e} ? ${e}.multiValue && ${e}.multiValue.length || 1 : 0) !== 1`);
    expect(d.helpers).toEqual({});
    expect(d.safe).toEqual({ request: true });
    const fn = new Function(`return ${d.request}`)();
    const request = (h: unknown) => ({ uri: '/', headers: h === undefined ? {} : { authorization: h } });
    expect(fn(request(undefined), {})).toMatchObject({ statusCode: 401 });
    const one = request({ value: 'a' });
    expect(fn(one, {})).toBe(one);
    expect(fn(request({ value: 'a', multiValue: [{ value: 'a' }, { value: 'b' }] }), {})).toMatchObject({ statusCode: 401 });
  });

  it('keeps the whole config as one constant where the hook uses it other than by config.key', () => {
    const d = deriveCffHooks(defineMiddleware({
      name: 'm', needs: [], config: { list: ['a', 'b'], other: { k: 1 } },
      request(ctx, config) { const c = config; ctx.request.headers.set('x-list', config.list.join(',') + c.other.k); },
    }))!;
    expect(d.request).toContain('CONFIG.list.join(",")');
    expect(d.constants).toEqual({ CONFIG: { list: ['a', 'b'], other: { k: 1 } } });
  });

  it('calls a helper where a property access would not keep the meaning', () => {
    const d = deriveCffHooks(defineMiddleware({
      name: 'm', needs: [],
      request(ctx) { const n = 'x-' + ctx.request.method; ctx.request.headers.set(n, ctx.request.querystring.get('q') || ''); ctx.request.headers.append('x-a', 'b'); },
    }))!;
    expect(Object.keys(d.helpers!).sort()).toEqual(['__edge_append', '__edge_dec', '__edge_set']);
    expect(d.safe).toEqual({ request: false });
  });

  it('splits a Set-Cookie value known at build time', () => {
    const d = deriveCffHooks(defineMiddleware({ name: 'm', needs: [], response(ctx) { ctx.response.headers.append('set-cookie', 'a=1; Path=/'); } }))!;
    expect(d.response).toContain('"a", {"value":"1","attributes":"Path=/"}');
    expect(Object.keys(d.helpers!)).toEqual(['__edge_ck']);
  });

  it('chooses the value alone between two Set-Cookie literals of one name and the same attributes', () => {
    const d = deriveCffHooks(defineMiddleware({
      name: 'm', needs: [], config: { a: 'k=a; Path=/', b: 'k=b; Path=/', c: 'k=c; Path=/x' },
      response(ctx, config) {
        const v = ctx.request.headers.get('x-v');
        ctx.response.headers.append('set-cookie', v === 'a' ? config.a : config.b);
        if (v === 'c') ctx.response.headers.append('set-cookie', v === 'c' ? config.c : config.a);
      },
    }))!;
    expect(d.response).toContain('"k", { "value": v === "a" ? "a" : "b", "attributes": "Path=/" }');
    // Other attributes: parsed where it runs.
    expect(d.response).toContain('__edge_cookie(');
    const lone = deriveCffHooks(defineMiddleware({
      name: 'm', needs: [], config: { a: 'k=a; Path=/', b: 'k=b; Path=/' },
      response(ctx, config) { ctx.response.headers.append('set-cookie', ctx.request.headers.has('x') ? config.a : config.b); },
    }))!;
    expect(lone.safe).toEqual({ response: true });
  });

  it('reads a header or cookie declared on its own once: the entry, then its value', () => {
    const d = deriveCffHooks(defineMiddleware({
      name: 'm', needs: [],
      request(ctx) {
        const a = ctx.request.headers.get('X-A');
        const q = ctx.request.querystring.get('q');
        if (a !== undefined && q) ctx.request.uri = '/' + a.toLowerCase() + q.trim();
      },
    }))!;
    expect(d.request).toContain('const __edge_a = __r.headers["x-a"], a = __edge_a && __edge_a.value;');
    expect(d.request).toContain('const __edge_q = __r.querystring["q"], q = __edge_q && __edge_dec(__edge_q.value);');
    expect(d.safe).toEqual({ request: true });
    const fn = new Function('__edge_dec', `return ${d.request}`)(decodeURIComponent);
    const request = { uri: '/x', headers: { 'x-a': { value: 'AB' } }, querystring: { q: { value: '%20c%20' } } };
    fn(request, {});
    expect(request.uri).toBe('/abc');
    const bare = { uri: '/x', headers: {}, querystring: {} };
    fn(bare, {});
    expect(bare.uri).toBe('/x');
  });

  it('reads a map kept in a const as the map itself', () => {
    const code = derive((ctx: any) => {
      const headers = ctx.request.headers;
      if (headers.has('x-a')) headers.set('x-b', headers.get('x-a'));
    })!;
    expect(code).toContain('if (!!__r.headers["x-a"]) __r.headers["x-b"] = { value: (__r.headers["x-a"] && __r.headers["x-a"].value) }');
    expect(code).not.toMatch(/ctx|const headers/);
  });

  it('leaves out hooks that use the context in a way it does not rewrite', () => {
    const refused: ((ctx: any, config: any) => unknown)[] = [
      (ctx) => { let h = ctx.request.headers; h.set('a', 'b'); },
      (ctx) => { const h = ctx.request.headers; return JSON.stringify(h); },
      (ctx) => { const h = ctx.request.headers; [1].forEach((h) => h); },
      (ctx) => { const h = ctx.request.headers, g = 1; h.set('a', String(g)); },
      (ctx) => JSON.stringify(ctx),
      (ctx) => { const { request } = ctx; request.uri = '/'; },
      (ctx) => ctx.request.headers['get']('a'),
      (ctx) => { ctx.request.method = 'POST'; },
      (ctx) => ctx.kvs('key'),
      (ctx, config) => [1].map((config) => config + ctx.request.uri),
      (ctx) => { const __r = 1; return ctx.request.uri + __r; },
    ];
    for (const hook of refused) expect(derive(hook as never, { x: 0 }), String(hook)).toBeUndefined();
    // The response phase has no viewer address nor answers to give.
    const viewer = defineMiddleware({ name: 'm', needs: [], response(ctx) { ctx.response.headers.set('x-ip', ctx.viewer.ip); } });
    expect(deriveCffHooks(viewer)).toBeUndefined();
  });
});

describe('async request hooks (cloudfront-js-2.0)', () => {
  const mw = (needs: string[], request: (ctx: any) => unknown, response?: (ctx: any) => unknown) =>
    defineMiddleware({ name: 'm', needs: needs as never, request: request as never, ...(response ? { response: response as never } : {}) });

  it('derives an async hook, ctx.kvs a read of the store that gives undefined for a missing key', () => {
    const d = deriveCffHooks(mw(['kvs', 'async'], async (ctx) => { ctx.request.headers.set('x-v', (await ctx.kvs('k')) || 'none'); }))!;
    expect(d.request).toMatch(/^async function \(__r, __e\)/);
    expect(d.request).toContain('await __edge_kvs("k")');
    expect(d.helpers!.__edge_kvs).toContain('cf.kvs().get(k)');
    // The helper's read never rejects: nothing here can throw, so no try/catch around the hook.
    expect(d.safe).toEqual({ request: true });
  });

  it('awaits a read declared on its own (const v = await ctx.kvs(k)) in a try, as a hand-writer does: no helper promise between', () => {
    const d = deriveCffHooks(mw(['kvs', 'async'], async (ctx) => {
      const flag = await ctx.kvs('flag:' + ctx.request.uri);
      if (flag === 'off') return ctx.respond({ status: 404 });
      if (flag) ctx.request.headers.set('x-flag', flag);
    }))!;
    expect(d.request).toContain('let flag; try { flag = await __edge_store().get("flag:" + __r.uri); } catch (e) {}');
    expect(d.request).not.toContain('__edge_kvs');
    expect(d.helpers!.__edge_store).toContain('cf.kvs()');
    expect(d.safe).toEqual({ request: true });
    // In any other place the read goes through the helper.
    const nested = deriveCffHooks(mw(['kvs', 'async'], async (ctx) => { if (ctx.request.uri) { const a = 1, b = await ctx.kvs('k'); ctx.request.headers.set('x', b || String(a)); } }))!;
    expect(nested.request).toContain('await __edge_kvs("k")');
  });

  it('leaves out what the straight-line handler would not await: a hook of an async middleware that is not async itself, ctx.kvs outside an async hook, an async response hook', () => {
    expect(deriveCffHooks(mw(['kvs', 'async'], (ctx) => ctx.kvs('k').then(() => undefined)))).toBeUndefined();
    expect(deriveCffHooks(mw(['async'], (ctx) => { ctx.request.uri = '/'; }))).toBeUndefined();
    expect(deriveCffHooks(mw([], (ctx) => ctx.kvs('key')))).toBeUndefined();
    expect(deriveCffHooks(mw(['async'], async () => undefined, async (ctx) => { ctx.response.headers.set('a', 'b'); }))!.response).toBeUndefined();
  });
});

describe('appendsToFreshCookies', () => {
  const hook = (setCookies: string[]) => {
    const lines = setCookies.map((c) => `ctx.response.headers.append('set-cookie', ${JSON.stringify(c)});`).join(' ');
    return deriveCffHooks(defineMiddleware({ name: 'm', needs: [], response: new Function('ctx', lines) as never }))!.response!;
  };

  it('sets the whole cookies object for a lone append, a property for each of several names', () => {
    expect(appendsToFreshCookies([hook(['a=1; Path=/'])])).toEqual([expect.stringContaining('__s.cookies = { "a": {"value":"1","attributes":"Path=/"} }')]);
    const [one, two] = appendsToFreshCookies([hook(['a=1']), hook(['b=2'])])!;
    expect(one).toContain('(__s.cookies || (__s.cookies = {}))["a"] = {"value":"1"}');
    expect(two).toContain('(__s.cookies || (__s.cookies = {}))["b"] = {"value":"2"}');
    expect(two).not.toContain('__edge_ck');
  });

  it('leaves hooks alone when a name repeats or cookies are used otherwise', () => {
    expect(appendsToFreshCookies([hook(['a=1', 'a=2'])])).toBeUndefined();
    expect(appendsToFreshCookies([hook(['a=1']), hook(['a=2'])])).toBeUndefined();
    expect(appendsToFreshCookies(['function (__s) { __s.cookies = {}; }', hook(['a=1'])])).toBeUndefined();
    expect(appendsToFreshCookies(['function (__s) { __s.headers.a = { value: "1" }; }'])).toBeUndefined();
  });
});
