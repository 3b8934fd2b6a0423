import { describe, expect, it } from 'vitest';
import { defineMiddleware, deriveHooks, edge } from '@edgeline/core';
import { buildCf } from '@edgeline/cf-target';
import { expectCfMatchesSource, expectLambdaMatchesSource } from './equivalence';
import { randomCases } from './random-events';

// Differential test of the rewrite of user hooks into direct event access (core lower/derive*.ts):
// random events through both targets' artifacts and through the source must agree.

const reader = defineMiddleware({
  name: 'reader',
  needs: [],
  config: { prefix: 'x-r-', list: ['a', 'b'] },
  request(ctx, config) {
    const dyn = 'X-' + 'Dyn';
    ctx.request.headers.set(config.prefix + 'ua', ctx.request.headers.get('User-Agent') || 'none');
    ctx.request.headers.set('x-r-has', String(ctx.request.headers.has('accept')) + String(ctx.request.headers.has(dyn)));
    ctx.request.headers.set('X-R-All', ctx.request.headers.getAll('x-multi').join('|'));
    ctx.request.headers.append('X-Multi', 'added');
    if (ctx.request.headers.has('x-remove')) ctx.request.headers.delete('X-Remove');
    ctx.request.headers.set('x-r-names', String(ctx.request.headers.names().length));
    const query = ctx.request.querystring; // an alias of a map: rewritten as ctx.request.querystring
    query.delete('drop');
    if (query.has('a')) query.append('a', 'x y');
    ctx.request.headers.set('x-r-q', [query.get('q'), query.has('r'), query.getAll('r').join(','), query.toString()].join(';'));
    ctx.request.headers.set('x-r-c', (ctx.request.cookies.get('uid') || '') + '/' + ctx.request.cookies.getAll('multi').join(',') + '/' + ctx.request.cookies.names().length);
    ctx.request.headers.set('x-r-v', ctx.viewer.ip + '|' + (ctx.viewer.country || '?') + '|' + ctx.request.method + '|' + config.list.join(''));
    if (ctx.request.uri.slice(-1) === '/') ctx.request.uri += 'index.html';
  },
});

const answers = defineMiddleware({
  name: 'answers',
  needs: [],
  request(ctx) {
    const uri = ctx.request.uri;
    if (uri === '/teapot') return ctx.respond({ status: 418, statusDescription: "I'm a teapot", headers: { 'Content-Type': 'text/plain', 'X-Tea': uri }, body: 'short and stout' });
    if (uri === '/built') return ctx.respond({ status: 200, headers: { 'x-built': ctx.request.querystring.get('q') || 'none', 'Set-Cookie': 'built=1; Path=/' } });
    if (uri === '/moved') return ctx.redirect('/new' + uri + '?' + ctx.request.querystring.toString(), 301);
    if (uri === '/default') return ctx.redirect('/d');
    return undefined;
  },
  response(ctx) {
    const headers = ctx.response.headers;
    headers.set('x-status-seen', String(ctx.response.status));
    if (ctx.response.status === 418) ctx.response.status = 200;
    if (ctx.response.headers.has('x-origin')) ctx.response.headers.set('x-origin-was', ctx.response.headers.get('X-Origin') || '');
    ctx.response.headers.delete('x-origin');
    ctx.response.headers.append('set-cookie', 'seen=1; Path=/');
  },
});

describe('derived hooks on random events', () => {
  const p = edge().use(answers).use(reader);
  it('are all derived (else this would test the context-based path)', () => {
    for (const shape of ['cff', 'lambda'] as const) {
      expect(deriveHooks(reader, shape)?.request, shape).toBeDefined();
      expect(deriveHooks(answers, shape)?.request, shape).toBeDefined();
      expect(deriveHooks(answers, shape)?.response, shape).toBeDefined();
    }
  });

  it('CloudFront Functions (njs), both runtimes', async () => {
    const cases = randomCases(1, 60, 'viewer-request', 'viewer-response');
    await expectCfMatchesSource(p, cases, 'cloudfront-js-1.0');
    await expectCfMatchesSource(p, cases, 'cloudfront-js-2.0');
  });

  it('Lambda@Edge, viewer and origin triggers', async () => {
    await expectLambdaMatchesSource(p, randomCases(2, 60, 'viewer-request', 'viewer-response'));
    const atOrigin = edge()
      .use(defineMiddleware({ ...answers, runsAt: { request: ['origin-request'], response: ['origin-response'] } }))
      .use(defineMiddleware({ ...reader, runsAt: { request: ['origin-request'] } }));
    await expectLambdaMatchesSource(atOrigin, randomCases(3, 60, 'origin-request', 'origin-response'));
  });
});

// A lone request hook that cannot throw becomes the handler's body, its answers passed through
// the response hooks of the middleware before it; a Set-Cookie they append to an answer made
// without cookies is a plain property (core lower/emit-direct.ts, derive-cff.ts).
const gate = defineMiddleware({
  name: 'gate',
  needs: [],
  request(ctx) {
    const uri = ctx.request.uri;
    if (uri === '/teapot') return ctx.respond({ status: 418, headers: { 'content-type': 'text/plain' }, body: 'tea' });
    if (uri === '/moved') return ctx.redirect('/new?' + ctx.request.querystring.toString(), 301);
    ctx.request.headers.set('x-gate', uri.slice(0, 4) + (ctx.request.cookies.get('uid') || ctx.viewer.ip));
  },
});
const cookie = (name: string, setCookie: string) =>
  defineMiddleware({
    name,
    needs: [],
    config: { header: 'x-' + name, cookie: setCookie },
    response(ctx, config) {
      ctx.response.headers.set(config.header, String(ctx.response.status));
      ctx.response.headers.append('set-cookie', config.cookie);
    },
  });

describe('answers through the response hooks before the answering one', () => {
  const distinct = edge().use(cookie('ca', 'a=1; Path=/')).use(cookie('cb', 'b=2')).use(gate);
  const sameName = edge().use(cookie('ca', 'a=1; Path=/')).use(cookie('ca2', 'a=2; Secure')).use(gate);
  const answerWithCookie = edge().use(cookie('ca', 'built=2')).use(answers);

  it('writes the hand-written shape where it can, the general one where it must', async () => {
    const code = async (p: typeof distinct) => {
      const r = await buildCf({ pipeline: p as never, runtime: 'cloudfront-js-1.0' });
      if (!r.ok) throw new Error('rejected');
      return r.artifacts.find((a) => a.eventType === 'viewer-request')!.code;
    };
    const fresh = await code(distinct);
    expect(fresh).not.toMatch(/try|push/); // no guard, no append helper
    expect(fresh.match(/function /g)).toHaveLength(4); // handler, two response hooks, the query-string helper
    expect(await code(sameName)).toContain('push');
    expect(await code(answerWithCookie)).toContain('push');
  });

  it('give the source\'s results (njs, both runtimes)', async () => {
    const cases = randomCases(4, 40, 'viewer-request', 'viewer-response');
    for (const p of [distinct, sameName, answerWithCookie]) {
      await expectCfMatchesSource(p, cases, 'cloudfront-js-1.0');
      await expectCfMatchesSource(p, cases, 'cloudfront-js-2.0');
    }
  });
});
