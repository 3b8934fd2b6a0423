import { describe, expect, it } from 'vitest';
import { defineMiddleware, edge, toOutcome, type EventType, type Middleware, type Pipeline, type Violation } from '@edgeline/core';
import { runPipeline, viewerRequest, viewerResponse, type EventInit } from '@edgeline/core/testing';
import type { CffEvent } from '@edgeline/core/runtime';
import { parse } from 'acorn';
import { buildCf, runInEmulator, runInNjs } from './index.js';
import { es2Lacks } from './syntax-2.js';

// Two custom middleware, written as a user would: request and response hooks, md5 via crypto.
const stamp = defineMiddleware({
  name: 'stamp',
  needs: [],
  config: { header: 'x-served-by', value: 'edgeline' },
  response(ctx, config) {
    ctx.response.headers.set(config.header, config.value);
    if (ctx.response.status >= 400) ctx.response.headers.set('cache-control', 'no-store');
    ctx.response.headers.append('set-cookie', 'seen=1; Path=/');
  },
});
const bucket = defineMiddleware({
  name: 'bucket',
  needs: ['crypto:hash'],
  config: { cookie: 'uid', buckets: 4, blocked: '/admin' },
  request(ctx, config) {
    const uri = ctx.request.uri;
    if (uri.indexOf(config.blocked) === 0) return ctx.respond({ status: 403, headers: { 'content-type': 'text/plain' }, body: 'forbidden' });
    if (uri === '/old') return ctx.redirect('/new?' + ctx.request.querystring.toString(), 301);
    const id = ctx.request.cookies.get(config.cookie) || ctx.viewer.ip;
    const digest = require('crypto').createHash('md5').update(id).digest('hex');
    ctx.request.headers.set('x-bucket', String(parseInt(digest.slice(0, 8), 16) % config.buckets));
    ctx.request.headers.set('x-id-md5', digest);
    if (ctx.request.querystring.has('lang')) ctx.request.uri = '/' + ctx.request.querystring.get('lang') + uri;
  },
});
const pipeline = edge().use(stamp).use(bucket);

const requests: EventInit[] = [
  {}, { uri: '/a' }, { uri: '/admin' }, { uri: '/admin/x?y' }, { uri: '/old', querystring: 'a=1&a=2&b' },
  { uri: '/p', cookies: { uid: 'user-1' } }, { uri: '/p', cookies: { uid: 'ü-ñ' } }, { ip: '2001:db8::1' },
  { uri: '/q', querystring: 'lang=de' }, { uri: '/q', querystring: 'lang=%zz' }, { uri: '/q', querystring: 'x=%E2%82%AC&x=2' },
  { uri: '/' + 'a'.repeat(8000) }, { uri: '/ünïcödé' }, { headers: { 'X-Mixed': ['1', '2'] } }, { headers: { accept: '' } },
  { uri: '/old' }, { method: 'POST', uri: '/form' }, { country: 'DE' }, { cookies: { uid: ['a', 'b'] } }, { uri: '//evil.example' },
];
const responses: EventInit[] = [
  { status: 200 }, { status: 404 }, { status: 500, responseHeaders: { 'x-served-by': 'origin' } },
  { status: 200, responseHeaders: { 'Set-Cookie': ['a=1; Secure', 'b=2'] } }, { status: 304, responseHeaders: { etag: '"x"' } },
];
const events: CffEvent[] = [...requests.map((e) => viewerRequest(e)), ...responses.map((e) => viewerResponse(e))];

async function sourceRun(event: CffEvent) {
  return runPipeline(pipeline, structuredClone(event), { target: 'cloudfront-js-1.0' });
}

for (const runtime of ['cloudfront-js-1.0', 'cloudfront-js-2.0'] as const) {
  describe(`buildCf ${runtime}`, async () => {
    const result = await buildCf({ pipeline, runtime });
    if (!result.ok) throw new Error(JSON.stringify(result.violations, null, 2));
    const byEvent = Object.fromEntries(result.artifacts.map((a) => [a.eventType, a]));

    it('writes one artifact per event type, each a plain script with a top-level handler', () => {
      expect(Object.keys(byEvent).sort()).toEqual(['viewer-request', 'viewer-response']);
      for (const a of result.artifacts) {
        expect(a.bytes).toBeLessThanOrEqual(10240);
        expect(a.code).not.toMatch(/\bexport\b|module\.exports/);
        // 1.0 is ES5.1; 2.0 keeps its own syntax (const, let, arrows...), checked by its gate.
        const ast = parse(a.code, { ecmaVersion: runtime === 'cloudfront-js-1.0' ? 5 : 2017 }) as unknown as { body: { type: string; id?: { name: string } }[] };
        if (runtime === 'cloudfront-js-2.0') expect(es2Lacks(a.code)).toEqual([]);
        expect(ast.body.some((n) => n.type === 'FunctionDeclaration' && n.id?.name === 'handler')).toBe(true);
        expect(a.code).not.toMatch(/_create_for_of|_extends|_object_spread|_class_call_check|__publicField/);
      }
      expect(byEvent['viewer-request'].middleware).toEqual(['bucket', 'stamp']);
      expect(byEvent['viewer-request'].capabilities).toEqual(expect.arrayContaining(['viewer-request', 'crypto:hash']));
    });

    it('inlines the configuration as literals', () => {
      expect(byEvent['viewer-request'].code).toContain('"/admin"');
      expect(byEvent['viewer-response'].code).toContain('"x-served-by"');
    });

    it('gives the same results in process, in the vm emulator and in njs, on 25 events', async () => {
      const eventType = (e: CffEvent) => e.context.eventType as EventType;
      const njs = {
        'viewer-request': await runInNjs(byEvent['viewer-request'].code, events.filter((e) => eventType(e) === 'viewer-request'), { runtime }),
        'viewer-response': await runInNjs(byEvent['viewer-response'].code, events.filter((e) => eventType(e) === 'viewer-response'), { runtime }),
      } as Record<string, Awaited<ReturnType<typeof runInNjs>>>;
      const seen: Record<string, number> = { 'viewer-request': 0, 'viewer-response': 0 };
      for (const event of events) {
        const t = eventType(event);
        const source = await sourceRun(event);
        const vm = await runInEmulator(byEvent[t].code, structuredClone(event), { runtime });
        const inNjs = njs[t][seen[t]++];
        expect(vm.ok, JSON.stringify(vm)).toBe(true);
        expect(inNjs.ok, JSON.stringify(inNjs)).toBe(true);
        if (!vm.ok || !inNjs.ok) continue;
        const label = JSON.stringify(event.request.uri).slice(0, 60);
        expect(toOutcome(t, vm.result), label).toEqual({ ...source, raw: vm.result });
        expect(toOutcome(t, inNjs.result), label).toEqual({ ...source, raw: inNjs.result });
      }
    }, 60000);
  });
}

describe('buildCf rejects', () => {
  const reject = async (mw: Middleware, runtime: 'cloudfront-js-1.0' | 'cloudfront-js-2.0' = 'cloudfront-js-1.0'): Promise<Violation[]> => {
    const result = await buildCf({ pipeline: edge().use(mw) as Pipeline<never>, runtime });
    expect(result.ok).toBe(false);
    return result.ok ? [] : result.violations;
  };

  it('a middleware that reads the body', async () => {
    const v = await reject(defineMiddleware({ name: 'readsBody', needs: ['body'], request(ctx) { ctx.request.headers.set('x-len', String(ctx.request.body?.data.length)); } }));
    expect(v).toMatchObject([{ middleware: 'readsBody', capability: 'body' }]);
    expect(v[0].fix).toContain('--target lambda');
  });

  it('a middleware that calls fetch, declared or not', async () => {
    const declared = await reject(defineMiddleware({ name: 'fetcher', needs: ['network', 'async'], async request() { await fetch('http://127.0.0.1/'); } }));
    expect(declared.map((v) => `${v.middleware}:${v.capability}`)).toEqual(['fetcher:network', 'fetcher:async']);
    const undeclared = await reject(defineMiddleware({ name: 'sneaky', needs: [], request() { fetch('http://127.0.0.1/'); } }));
    expect(undeclared).toMatchObject([{ middleware: 'sneaky', capability: 'network', construct: 'fetch' }]);
  });

  it('a middleware that uses await on 1.0, but not on 2.0', async () => {
    const mw = defineMiddleware({ name: 'waiter', needs: ['async'], async request(ctx) { const v = await Promise.resolve('1'); ctx.request.headers.set('x-v', v); } });
    expect(await reject(mw)).toMatchObject([{ middleware: 'waiter', capability: 'async' }]);
    const ok = await buildCf({ pipeline: edge().use(mw), runtime: 'cloudfront-js-2.0' });
    expect(ok.ok, JSON.stringify(!ok.ok && ok.violations)).toBe(true);
    if (!ok.ok) return;
    const [run] = await runInNjs(ok.artifacts[0].code, [viewerRequest()], { runtime: 'cloudfront-js-2.0' });
    expect(run.ok && (run.result as { headers: Record<string, { value: string }> }).headers['x-v']).toEqual({ value: '1' });
  });

  it('a middleware that requires fs', async () => {
    const v = await reject(defineMiddleware({ name: 'reader', needs: ['fs'], request(ctx) { ctx.request.headers.set('x', require('fs').readFileSync('/etc/hostname', 'utf8')); } }));
    expect(v[0]).toMatchObject({ middleware: 'reader', capability: 'fs' });
    const undeclared = await reject(defineMiddleware({ name: 'reader2', needs: [], request() { require('fs'); } }));
    expect(undeclared[0]).toMatchObject({ middleware: 'reader2', construct: "require('fs')" });
  });

  it('origin events, with the fix', async () => {
    const v = await reject(defineMiddleware({ name: 'atOrigin', needs: ['origin-request'], request() {} }));
    expect(v).toMatchObject([{ middleware: 'atOrigin', capability: 'origin-request', fix: 'use --target lambda' }]);
  });

  it('eval, a module the runtime lacks, and Map on 1.0', async () => {
    expect((await reject(defineMiddleware({ name: 'ev', needs: [], request() { eval('1'); } })))[0]).toMatchObject({ middleware: 'ev', construct: 'eval' });
    expect((await reject(defineMiddleware({ name: 'jose', needs: [], request() { require('jose'); } })))[0]).toMatchObject({ middleware: 'jose', construct: "require('jose')" });
    expect((await reject(defineMiddleware({ name: 'mapper', needs: [], request() { new Map(); } })))[0]).toMatchObject({ middleware: 'mapper', construct: 'Map' });
    const timer = await reject(defineMiddleware({ name: 'timer', needs: ['async'], request() { setTimeout(() => {}, 1); } }), 'cloudfront-js-2.0');
    expect(timer[0]).toMatchObject({ middleware: 'timer', construct: 'setTimeout', capability: null });
  });

  it('runtime 1.0\'s njs string methods on 2.0, and methods newer than ES5, naming the middleware', async () => {
    const decoder = defineMiddleware({
      name: 'decoder', needs: [],
      request(ctx) {
        const s = (String as unknown as { bytesFrom(s: string, e: string): { fromUTF8(): string } }).bytesFrom('aGk=', 'base64');
        ctx.request.headers.set('x-user', s.fromUTF8());
      },
    });
    const ok = await buildCf({ pipeline: edge().use(decoder), runtime: 'cloudfront-js-1.0' });
    expect(ok.ok, JSON.stringify(!ok.ok && ok.violations)).toBe(true);
    if (ok.ok) expect((await runInNjs(ok.artifacts[0].code, [viewerRequest()], { runtime: 'cloudfront-js-1.0' }))[0]).toMatchObject({ ok: true, result: { headers: { 'x-user': { value: 'hi' } } } });
    const v = await reject(decoder, 'cloudfront-js-2.0');
    expect(v.map((x) => `${x.middleware}:${x.construct}`)).toEqual(['decoder:String.bytesFrom', 'decoder:.fromUTF8()']);
    expect(v[0].fix).toContain('Buffer');
    const flat = await reject(defineMiddleware({ name: 'flattener', needs: [], request(ctx) { ctx.request.headers.set('x', [['a'], ['b']].flat().join()); } }));
    expect(flat).toMatchObject([{ middleware: 'flattener', construct: '.flat()', capability: null }]);
  });

  it('an artifact over 10 KB, with a size breakdown', async () => {
    const big = defineMiddleware({ name: 'big', needs: [], config: { blob: 'x'.repeat(12000) }, request(ctx, c) { ctx.request.headers.set('x-blob', c.blob); } });
    const v = await reject(big);
    expect(v[0].construct).toBe('size');
    expect(v[0].why).toMatch(/big \(request\): \d+ B/);
  });
});

describe('emulators apply the CloudFront rules', () => {
  it('fail where CloudFront would answer 502: a read-only header changed', async () => {
    const bad = defineMiddleware({ name: 'hostile', needs: [], request(ctx) { ctx.request.headers.set('host', 'evil.example'); } });
    const result = await buildCf({ pipeline: edge().use(bad) });
    if (!result.ok) throw new Error('expected a build');
    const vm = await runInEmulator(result.artifacts[0].code, viewerRequest());
    expect(vm).toMatchObject({ ok: false, error: expect.stringContaining("'host' is read-only") });
    const [njs] = await runInNjs(result.artifacts[0].code, [viewerRequest()]);
    expect(njs).toMatchObject({ ok: false, error: expect.stringContaining("'host' is read-only") });
  });

  it('offer runtime 1.0\'s njs string methods in the vm emulator as njs does', async () => {
    const code = `function handler(e) {
      var b = String.bytesFrom('w7xzZXI6cHc=', 'base64'), bad = String.bytesFrom('/zo=', 'base64');
      e.request.headers['x-t'] = { value: [b.length, b.slice(0, b.indexOf(':')).fromUTF8(), bad.fromUTF8(), String.bytesFrom('6869', 'hex'),
        String.bytesFrom([104, 105]), 'é'.toUTF8().length, String.bytesFrom('aGk', 'base64url')].join('|') };
      return e.request;
    }`;
    const vm = await runInEmulator(code, viewerRequest(), { runtime: 'cloudfront-js-1.0' });
    const [njs] = await runInNjs(code, [viewerRequest()], { runtime: 'cloudfront-js-1.0' });
    expect(vm).toEqual(njs);
    expect(vm.ok && (vm.result as { headers: Record<string, { value: string }> }).headers['x-t'].value).toBe('8|üser||hi|hi|2|hi');
    expect(await runInEmulator(code, viewerRequest(), { runtime: 'cloudfront-js-2.0' })).toMatchObject({ ok: false });
    // njs has them whatever the script; the runner removes them on 2.0, as the service does.
    expect((await runInNjs(code, [viewerRequest()], { runtime: 'cloudfront-js-2.0' }))[0]).toMatchObject({ ok: false });
  });

  it('have no eval in the vm emulator', async () => {
    const run = await runInEmulator('function handler(e) { return eval("e.request"); }', viewerRequest());
    expect(run.ok).toBe(false);
  });

  it('fix Date for the invocation', async () => {
    const run = await runInEmulator('function handler(e) { e.request.headers["x-t"] = { value: String(Date.now()) + "," + new Date().getTime() }; return e.request; }', viewerRequest(), { now: 1700000000000 });
    expect(run.ok && (run.result as { headers: Record<string, { value: string }> }).headers['x-t'].value).toBe('1700000000000,1700000000000');
  });
});

// A middleware with both hooks before one that answers: the answer carries the first one's header.
const both = defineMiddleware({
  name: 'both',
  needs: [],
  request(ctx) { ctx.request.headers.set('x-seen', '1'); },
  response(ctx) { ctx.response.headers.set('x-both', 'yes'); },
});
const gate = defineMiddleware({
  name: 'gate',
  needs: [],
  config: { path: '/private' },
  request(ctx, config) { if (ctx.request.uri.indexOf(config.path) === 0) return ctx.redirect('/login', 302); },
});
// The same middleware with hand-written CloudFront code (DirectHooks).
const directBoth = defineMiddleware({
  name: 'both', needs: [], request: both.request, response: both.response,
  direct: {
    cff: () => ({
      request: 'function (request) { request.headers["x-seen"] = { value: "1" }; return request; }',
      response: 'function (response) { response.headers["x-both"] = { value: "yes" }; }',
    }),
  },
});
const directGate = defineMiddleware({
  name: 'gate', needs: [], config: gate.config as { path: string }, request: gate.request,
  direct: {
    cff: (c) => ({
      request: `function (request) { if (request.uri.indexOf(${JSON.stringify(c.path)}) === 0) return { statusCode: 302, headers: { location: { value: "/login" } } }; return request; }`,
    }),
  },
});
const throwing = defineMiddleware({
  name: 'throwing', needs: [], onError: { status: 401, headers: { 'www-authenticate': 'Bearer' } },
  request(ctx) { if (ctx.request.uri === '/boom') throw new Error('boom'); },
  direct: { cff: () => ({ request: 'function (request) { if (request.uri === "/boom") throw new Error("boom"); return request; }' }) },
});
const gateEvents = [viewerRequest({ uri: '/' }), viewerRequest({ uri: '/private/x' }), viewerRequest({ uri: '/boom' })];
const gateResponses = [viewerResponse({ status: 200 }), viewerResponse({ status: 404, responseHeaders: { 'x-both': 'origin' } })];

async function sameAsSource(p: Pipeline<never>, evts: CffEvent[], options: { direct?: boolean } = {}): Promise<string[]> {
  const result = await buildCf({ pipeline: p, ...options });
  if (!result.ok) throw new Error(JSON.stringify(result.violations));
  for (const a of result.artifacts) {
    const mine = evts.filter((e) => e.context.eventType === a.eventType);
    const runs = await runInNjs(a.code, mine);
    for (let k = 0; k < mine.length; k++) {
      const run = runs[k];
      expect(run.ok, JSON.stringify(run)).toBe(true);
      if (!run.ok) continue;
      const source = await runPipeline(p, structuredClone(mine[k]), { target: 'cloudfront-js-1.0' });
      expect(toOutcome(a.eventType, run.result), mine[k].request.uri).toEqual({ ...source, raw: run.result });
    }
  }
  return result.artifacts.map((a) => a.code);
}

describe('answers made at viewer-request', () => {
  it('pass through the response hook of a middleware that also has a request hook', async () => {
    const p = edge().use(both).use(gate) as Pipeline<never>;
    await sameAsSource(p, [...gateEvents.slice(0, 2), ...gateResponses]);
    const source = await runPipeline(p, viewerRequest({ uri: '/private/x' }), { target: 'cloudfront-js-1.0' });
    expect(source).toMatchObject({ kind: 'respond', response: { status: 302, headers: { 'x-both': ['yes'] } } });
  });
});

describe('direct lowering (DirectHooks)', () => {
  const p = edge().use(directBoth).use(directGate).use(throwing) as Pipeline<never>;
  const evts = [...gateEvents, ...gateResponses];

  it('is used when every hook of an event type has one, with no context built', async () => {
    const codes = await sameAsSource(p, evts.filter((e) => e.request.uri !== '/boom'));
    for (const code of codes) expect(code).not.toMatch(/cffRequestContext|valueMap|cffResponseContext/);
    expect(codes.join('\n')).toContain('"x-seen"');
  });

  it('keeps onError answers and the pass-through of answers, as the context-based handler does', async () => {
    // In process a hook's error is thrown (tests see it); in an artifact it becomes the onError answer.
    const boom = viewerRequest({ uri: '/boom' });
    const runs: unknown[] = [];
    for (const direct of [true, false]) {
      const result = await buildCf({ pipeline: p, direct });
      if (!result.ok) throw new Error(JSON.stringify(result.violations));
      const [run] = await runInNjs(result.artifacts.find((a) => a.eventType === 'viewer-request')!.code, [boom]);
      if (!run.ok) throw new Error(run.error);
      runs.push(toOutcome('viewer-request', run.result));
    }
    expect(runs[0]).toMatchObject({ kind: 'respond', response: { status: 401, headers: { 'x-both': ['yes'], 'www-authenticate': ['Bearer'] } } });
    expect({ ...(runs[0] as object), raw: null }).toEqual({ ...(runs[1] as object), raw: null });
  });

  it('falls back to the context-based handler when one hook has none', async () => {
    const codes = await sameAsSource(edge().use(both).use(directGate) as Pipeline<never>, evts.filter((e) => e.request.uri !== '/boom'));
    expect(codes.join('\n')).toMatch(/"x-seen"/);
    const request = codes.find((c) => c.indexOf('/private') >= 0)!;
    expect(request).not.toContain('request.uri.indexOf("/private")');
  });

  it('runs hooks marked safe without try/catch, and a lone one as the handler itself', async () => {
    const safe = (m: Middleware): Middleware => defineMiddleware({
      name: m.name, needs: [], config: m.config as null, request: m.request, response: m.response,
      direct: { cff: (c, r) => ({ ...m.direct.cff!(c, r), safe: true }) },
    });
    const codes = await sameAsSource(edge().use(safe(directBoth)).use(safe(directGate)) as Pipeline<never>, evts.filter((e) => e.request.uri !== '/boom'));
    for (const code of codes) expect(code).not.toMatch(/try|catch|__edge_log/);
    const lone = await sameAsSource(edge().use(safe(directGate)) as Pipeline<never>, gateEvents.slice(0, 2));
    expect(lone[0]).toMatch(/^function handler\(\w+\)\{var \w+=\w+\.request;/);
    expect(lone[0]).not.toContain('__edge');
  });

  it('declares constants once per instance, under names of their own', async () => {
    const tag = (name: string, value: string) => defineMiddleware({
      name: 'tag', needs: [], config: { name, value },
      request(ctx, c) { ctx.request.headers.set(c.name, c.value); },
      direct: { cff: (c) => ({ request: 'function (request) { request.headers[NAME] = { value: VALUE.v }; return request; }', constants: { NAME: c.name, VALUE: { v: c.value } } }) },
    });
    const codes = await sameAsSource(edge().use(tag('x-a', '1')).use(tag('x-b', '2')) as Pipeline<never>, gateEvents.slice(0, 2));
    const a = /var (\$\w+)="x-a"/.exec(codes[0]);
    const b = /(\$\w+)=\{v:"2"\}/.exec(codes[0]);
    expect(a && b && a[1] !== b[1]).toBe(true); // short names (short-names.ts), one per instance
  });

  it('refuses a Set on CloudFront Functions, naming the middleware', async () => {
    const withSet = defineMiddleware({ name: 'withSet', needs: [], request() {}, direct: { cff: () => ({ request: 'function (request) { return request; }', sets: { S: ['a'] } }) } });
    await expect(buildCf({ pipeline: edge().use(withSet) })).rejects.toThrow(/withSet.*Set 'S'/);
  });

  it('is refused when its source is not a plain function', async () => {
    const bad = defineMiddleware({ name: 'bad', needs: [], request() {}, direct: { cff: () => ({ request: 'function (request) { return outer; }' }) } });
    await expect(buildCf({ pipeline: edge().use(bad) })).rejects.toThrow(/bad.*'outer'/);
  });
});
