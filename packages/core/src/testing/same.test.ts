import { describe, expect, it } from 'vitest';
import { defineMiddleware, edge } from '../index.js';
import { eventFor, expectSameEverywhere, lambdaEvent, viewerRequest, viewerResponse } from './index.js';

const stamp = defineMiddleware({
  name: 'stamp', needs: [], config: { value: 'edgeline' },
  response(ctx, config) { ctx.response.headers.set('x-stamp', config.value); },
});
const gate = defineMiddleware({
  name: 'gate', needs: ['crypto:hash'], config: { path: '/private' },
  request(ctx, config) {
    if (ctx.request.uri.indexOf(config.path) === 0) return ctx.redirect('/login', 302);
    if (ctx.request.uri === '/boom') throw new Error('kaput');
    ctx.request.headers.set('x-ip-hash', require('crypto').createHash('md5').update(ctx.viewer.ip).digest('hex'));
  },
});
const pipeline = edge().use(stamp).use(gate);
const uris = ['/', '/a?b', '/private/x', '/boom', '/ü'];

describe('expectSameEverywhere', () => {
  it('passes when the source, the emulator, njs and the Lambda artifact agree', async () => {
    const events = [
      ...uris.map((uri) => eventFor('cff', 'viewer-request', { uri, querystring: 'a=1&a=2' })),
      viewerResponse({ status: 404 }),
      ...uris.map((uri) => lambdaEvent('viewer-request', { uri })),
      lambdaEvent('origin-request'), lambdaEvent('viewer-response'),
    ];
    await expectSameEverywhere(pipeline, events);
  });

  it('names each event that differs, with the engine and the difference', async () => {
    // A hand-written lowering that disagrees with its hook: the artifact is not what was tested.
    const liar = defineMiddleware({
      name: 'liar', needs: [],
      request(ctx) { ctx.request.headers.set('x-v', 'hook'); },
      direct: { cff: () => ({ request: 'function (request) { request.headers["x-v"] = { value: "direct" }; return request; }' }) },
    });
    const err = await expectSameEverywhere(liar, [viewerRequest({ uri: '/one' }), lambdaEvent('viewer-request', { uri: '/two' })], { runtimes: ['cloudfront-js-1.0'] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message).toContain('2 of 3 runs differ from the source run, on 1 of 2 events');
    expect(message).toContain('event #0 (viewer-request GET /one)');
    expect(message).toContain('emulator (cloudfront-js-1.0)');
    expect(message).toContain('njs (cloudfront-js-1.0)');
    expect(message).toContain('request.headers.x-v: source ["hook"], artifact ["direct"]');
    expect(message).not.toContain('/two');
  });

  it('shows an artifact that fails where the source answers', async () => {
    const bad = defineMiddleware({
      name: 'bad', needs: [],
      request(ctx) { ctx.request.headers.set('x-v', 'ok'); },
      direct: { cff: () => ({ request: 'function (request) { return { statusCode: 99 }; }' }) },
    });
    const err = await expectSameEverywhere(bad, [viewerRequest()], { engines: ['emulator'], runtimes: ['cloudfront-js-1.0'] }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/artifact: error: the artifact failed in emulator/);
  });

  it('runs CloudFront Functions events on each runtime the pipeline can run on', async () => {
    const store = defineMiddleware({ name: 'store', needs: ['kvs', 'async'], async request(ctx) { ctx.request.headers.set('x-v', (await ctx.kvs('k')) ?? 'none'); } });
    await expectSameEverywhere(store, [viewerRequest(), viewerResponse()], { kvs: { k: 'v' } });
    await expect(expectSameEverywhere(store, [viewerRequest()], { runtimes: ['cloudfront-js-1.0'] })).rejects.toThrow(/does not build|cannot run/);
  });
});
