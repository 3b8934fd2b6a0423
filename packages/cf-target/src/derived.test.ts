import { describe, expect, it } from 'vitest';
import { defineMiddleware, deriveCffHooks, edge, toOutcome, type Pipeline } from '@edgeline/core';
import { runPipeline, viewerRequest, viewerResponse } from '@edgeline/core/testing';
import type { CffEvent } from '@edgeline/core/runtime';
import { buildCf, runInNjs } from './index.js';

// User middleware whose hooks use every part of the context the cf build rewrites into direct
// event access (core lower/derive-cff.ts). Each artifact must give, in njs, what the source
// gives in process, and be the derived one (smaller than the context-based build).

const reader = defineMiddleware({
  name: 'reader',
  needs: [],
  config: { prefix: 'x-r-', list: ['a', 'b'], flag: true, n: -1 },
  request(ctx, config) {
    const dyn = 'x-' + 'dyn';
    ctx.request.headers.set(config.prefix + 'ua', ctx.request.headers.get('User-Agent') || 'none');
    ctx.request.headers.set('x-r-has', String(ctx.request.headers.has('accept')) + String(ctx.request.headers.has(dyn)));
    ctx.request.headers.set('x-r-dyn', ctx.request.headers.get(dyn) || '-');
    ctx.request.headers.set('x-r-all', ctx.request.headers.getAll('x-multi').join('|'));
    ctx.request.headers.append('x-multi', 'added');
    ctx.request.headers.append(dyn, 'dyn-added');
    ctx.request.headers.delete('x-remove');
    ctx.request.headers.set('x-r-names', String(ctx.request.headers.names().length));
    ctx.request.headers.set('x-r-q', [ctx.request.querystring.get('q'), ctx.request.querystring.has('r'), ctx.request.querystring.getAll('r').join(',')].join(';'));
    ctx.request.querystring.set('set', 'a b&c');
    ctx.request.querystring.append('r', 'ü');
    ctx.request.querystring.delete('drop');
    ctx.request.headers.set('x-r-qs', ctx.request.querystring.toString());
    ctx.request.headers.set('x-r-c', (ctx.request.cookies.get('uid') || '') + '/' + ctx.request.cookies.getAll('multi').join(',') + '/' + ctx.request.cookies.names().length);
    ctx.request.headers.set('x-r-v', ctx.viewer.ip + '|' + (ctx.viewer.country || '?') + '|' + ctx.eventType + '|' + ctx.request.method);
    ctx.request.headers.set('x-r-cfg', config.list.join('') + config.flag + config.n + config.list.length);
    if (ctx.request.uri.slice(-1) === '/') ctx.request.uri += 'index.html';
  },
});

const answers = defineMiddleware({
  name: 'answers',
  needs: [],
  config: { status: 307 },
  request(ctx, config) {
    const uri = ctx.request.uri;
    if (uri === '/teapot') return ctx.respond({ status: 418, statusDescription: "I'm a teapot", headers: { 'Content-Type': 'text/plain', 'X-Tea': uri }, body: 'short and stout' });
    if (uri === '/built') {
      const init = { status: 200, headers: { 'set-cookie': 'built=1; Secure', 'x-built': 'yes' } as Record<string, string>, body: undefined };
      return ctx.respond(init);
    }
    if (uri === '/moved') return ctx.redirect('/new' + uri, config.status as 307);
    if (uri === '/default') return ctx.redirect('/d');
    if (uri === '/boom') throw new Error('boom');
    return undefined;
  },
  response(ctx) {
    ctx.response.headers.set('x-status-seen', String(ctx.response.status));
    if (ctx.response.status === 418) ctx.response.status = 200;
    if (ctx.response.headers.has('x-origin')) ctx.response.headers.set('x-origin-was', ctx.response.headers.get('x-origin') || '');
    ctx.response.headers.delete('x-origin');
    ctx.response.headers.append('set-cookie', 'seen=1; Path=/');
    ctx.response.headers.append('set-cookie', 'uri=' + encodeURIComponent(ctx.request.uri));
    if (ctx.response.status === 404) ctx.response.headers.set('set-cookie', 'only=1');
    if (ctx.response.status === 410) ctx.response.headers.delete('set-cookie');
    if (ctx.response.status === 500) throw new Error('response boom');
  },
});

const arrows = defineMiddleware({
  name: 'arrows',
  needs: [],
  request: (ctx) => ctx.request.headers.set('x-arrow', ctx.request.uri),
  response: (ctx) => ctx.response.headers.set('x-arrow', 'out'),
});

const requests = [
  viewerRequest({ uri: '/', headers: { 'User-Agent': 'curl/8', Accept: '*/*', 'x-multi': ['1', '2'], 'x-remove': 'r', 'x-dyn': 'd' } }),
  viewerRequest({ uri: '/docs/', querystring: 'q=a%20b&r=1&r=2&drop=x', cookies: { uid: 'u-1', multi: ['m1', 'm2'] }, country: 'DE' }),
  viewerRequest({ uri: '/q', querystring: 'q=%zz&r', ip: '2001:db8::1' }),
  viewerRequest({ uri: '/teapot', method: 'POST' }),
  viewerRequest({ uri: '/built' }),
  viewerRequest({ uri: '/moved', querystring: 'a=1' }),
  viewerRequest({ uri: '/default' }),
];
const responses = [200, 404, 410, 418].map((status) =>
  viewerResponse({ uri: '/p/', status, responseHeaders: { 'x-origin': 'o', 'Set-Cookie': ['a=1; Secure', 'seen=0'] } }),
);

async function expectSameAsSource(p: Pipeline<never>, events: CffEvent[]): Promise<string[]> {
  const result = await buildCf({ pipeline: p });
  if (!result.ok) throw new Error(JSON.stringify(result.violations));
  for (const a of result.artifacts) {
    const mine = events.filter((e) => e.context.eventType === a.eventType);
    const runs = await runInNjs(a.code, mine.map((e) => structuredClone(e)));
    for (let k = 0; k < mine.length; k++) {
      const run = runs[k];
      expect(run.ok, JSON.stringify(run)).toBe(true);
      if (!run.ok) continue;
      const source = await runPipeline(p, structuredClone(mine[k]), { target: 'cloudfront-js-1.0' });
      expect(toOutcome(a.eventType, run.result), `${a.eventType} ${mine[k].request.uri}`).toEqual({ ...source, raw: run.result });
    }
  }
  return result.artifacts.map((a) => a.code);
}

async function bytes(p: Pipeline<never>, direct: boolean): Promise<number[]> {
  const result = await buildCf({ pipeline: p, direct });
  if (!result.ok) throw new Error(JSON.stringify(result.violations));
  return result.artifacts.map((a) => a.bytes);
}

describe('user hooks rewritten to direct event access', () => {
  it('are derived for every hook here', () => {
    for (const m of [reader, answers, arrows]) {
      const d = deriveCffHooks(m)!;
      expect(d, m.name).toBeDefined();
      if (m.request) expect(d.request, `${m.name} request`).toBeDefined();
      if (m.response) expect(d.response, `${m.name} response`).toBeDefined();
    }
  });

  it('give what the source gives, in njs, for every event', async () => {
    const p = edge().use(answers).use(reader).use(arrows) as Pipeline<never>;
    await expectSameAsSource(p, [...requests, ...responses]);
    // Alone: a lone hook becomes the handler's body, in a try.
    await expectSameAsSource(edge().use(reader) as Pipeline<never>, requests.slice(0, 3));
    await expectSameAsSource(edge().use(answers) as Pipeline<never>, [...requests, ...responses]);
  });

  it('log a hook that throws and go on as the context-based handler does', async () => {
    const p = edge().use(arrows).use(answers).use(reader) as Pipeline<never>;
    const result = await buildCf({ pipeline: p });
    if (!result.ok) throw new Error(JSON.stringify(result.violations));
    const [request, response] = result.artifacts;
    const [boom] = await runInNjs(request.code, [viewerRequest({ uri: '/boom' })]);
    // A 502, through the response hook of the middleware before the one that threw.
    expect(boom).toMatchObject({ ok: true, result: { statusCode: 502, headers: { 'x-arrow': { value: 'out' } } } });
    const [late] = await runInNjs(response.code, [viewerResponse({ status: 500, responseHeaders: { 'x-origin': 'o' } })]);
    expect(late).toMatchObject({ ok: true, result: { statusCode: 500, headers: { 'x-status-seen': { value: '500' } } } });
    expect(late.ok && (late.result as { headers: Record<string, unknown> }).headers['x-origin']).toBeUndefined();
  });

  it('need no try/catch when they cannot throw, as a hand-written function has none', async () => {
    const noIndex = defineMiddleware({
      name: 'noIndex', needs: [], config: { value: 'noindex' },
      response(ctx, config) {
        ctx.response.headers.set('x-robots-tag', config.value);
        if (ctx.response.status >= 400) ctx.response.headers.delete('server');
      },
    });
    const [code] = await expectSameAsSource(edge().use(noIndex) as Pipeline<never>, responses);
    expect(code).not.toMatch(/try|catch|console/);
    expect(code).toMatch(/^function handler\(\w+\)\{var \w+=\w+\.response[;,]/);
    // One that may throw keeps its guard.
    const [request] = await expectSameAsSource(edge().use(reader) as Pipeline<never>, requests.slice(0, 2));
    expect(request).toMatch(/try\{.*\}catch\(\w+\)\{.*console\.log\("edgeline: reader failed: "/);
  });

  it("append a lone Set-Cookie in place, to the viewer-response event's own cookies, after the origin's of that name", async () => {
    const stamp = defineMiddleware({
      name: 'stamp', needs: [], config: { a: 'v=a; Path=/; Secure', b: 'v=b; Path=/; Secure' },
      response(ctx, config) {
        const seen = ctx.request.headers.get('x-v');
        if (seen === undefined) return;
        ctx.response.headers.append('set-cookie', seen === 'a' ? config.a : config.b);
      },
    });
    const events = [undefined, ['v=origin'], ['v=o1', 'v=o2; Secure'], ['other=1']].flatMap((cookie) =>
      ['a', 'b', undefined].map((v) => viewerResponse({ uri: '/', headers: v ? { 'x-v': v } : {}, responseHeaders: cookie ? { 'Set-Cookie': cookie } : {} })),
    );
    const [code] = await expectSameAsSource(edge().use(stamp) as Pipeline<never>, events);
    expect(code).not.toMatch(/try|function \$|\.cookies\|\|/);
    expect(code).toContain('"Path=/; Secure"');
    expect(code.split('Path=/').length).toBe(2);
  });

  it('are smaller than the context-based build', async () => {
    const p = edge().use(answers).use(reader).use(arrows) as Pipeline<never>;
    const [derived, generic] = [await bytes(p, true), await bytes(p, false)];
    derived.forEach((b, k) => expect(b).toBeLessThan(generic[k]));
  });

  it('keep the context where a use is not rewritten, with the same results', async () => {
    const passesCtx = defineMiddleware({
      name: 'passesCtx',
      needs: [],
      request(ctx) {
        function tag(c: typeof ctx) { c.request.headers.set('x-tag', c.request.uri); }
        tag(ctx);
      },
    });
    const aliased = defineMiddleware({ name: 'aliased', needs: [], request(ctx) { let h = ctx.request.headers; h.set('x-a', '1'); h = ctx.request.headers; } });
    const shadowed = defineMiddleware({
      name: 'shadowed', needs: [], config: { v: 'cfg' },
      request(ctx, config) { [1].forEach(function (config) { ctx.request.headers.set('x-s', String(config)); }); ctx.request.headers.set('x-t', config.v); },
    });
    const usesThis = defineMiddleware({ name: 'usesThis', needs: [], request(ctx) { ctx.request.headers.set('x-this', String(this === null)); } });
    for (const m of [passesCtx, aliased, shadowed, usesThis]) {
      expect(deriveCffHooks(m), m.name).toBeUndefined();
      await expectSameAsSource(edge().use(m) as Pipeline<never>, requests.slice(0, 2));
    }
  });
});
