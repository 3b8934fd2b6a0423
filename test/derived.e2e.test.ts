import { describe, expect, it } from 'vitest';
import { defineMiddleware, deriveHooks, edge } from '@edgeline/core';
import { expectCfMatchesSource, expectLambdaMatchesSource } from './equivalence';
import { randomCases } from './random-events';

// Differential test of the rewrite of user hooks into direct event access (core build/derive*.ts):
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
