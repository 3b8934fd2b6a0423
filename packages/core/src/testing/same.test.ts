import { describe, expect, it } from 'vitest';
import { checkPipeline, defineMiddleware, edge, runPipeline } from '../index.js';
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

describe("expectSameEverywhere with target 'auto'", () => {
  // geoRedirect-like: a CloudFront Function at viewer-request.
  const geo = defineMiddleware({
    name: 'geo', needs: [], config: { countries: { DE: '/de', FR: '/fr' } as Record<string, string> },
    request(ctx, config) {
      const country = ctx.request.headers.get('cloudfront-viewer-country');
      const prefix = country ? config.countries[country] : undefined;
      if (prefix && ctx.request.uri.indexOf(prefix) !== 0) return ctx.redirect(prefix + ctx.request.uri, 302);
      ctx.request.headers.set('x-geo', country || 'none');
    },
  });
  // Needs the body: Lambda@Edge, pinned at origin-request.
  const bodySize = defineMiddleware({
    name: 'bodySize', needs: ['body', 'origin-request'],
    request(ctx) {
      const body = ctx.request.body;
      if (body && body.data.length > 8) return ctx.respond({ status: 413, body: 'too large' });
      ctx.request.headers.set('x-body', body ? String(body.data.length) : 'none');
    },
  });
  const mixed = edge().use(geo).use(bodySize);
  const matching = () => [
    viewerRequest({ uri: '/', country: 'DE' }), viewerRequest({ uri: '/de/x', country: 'DE' }),
    viewerRequest({ uri: '/a', country: 'US' }), viewerRequest({ uri: '/b' }),
    lambdaEvent('origin-request', { uri: '/up', body: { data: 'aGk=' } }),
    lambdaEvent('origin-request', { uri: '/up', body: { data: 'aGVsbG8gd29ybGQ=' } }),
    lambdaEvent('origin-request', { uri: '/none' }),
    viewerResponse({ status: 200 }), lambdaEvent('origin-response'),
  ];

  it('runs each event where the plan puts its event type', async () => {
    const plan = checkPipeline(mixed, 'auto');
    expect(plan.ok && plan.events.map((e) => `${e.eventType} ${e.target}`)).toEqual(['viewer-request cloudfront-js-2.0', 'origin-request lambda']);
    const tooLarge = await runPipeline(mixed, matching()[5], { target: 'auto' });
    expect(tooLarge).toMatchObject({ kind: 'respond', response: { status: 413 } });
    await expectSameEverywhere(mixed, matching(), { target: 'auto' });
    await expectSameEverywhere(mixed, matching(), { target: 'auto', runtime: 'cloudfront-js-1.0' });
  });

  it('throws on an event whose shape is not the plan for its event type, saying which to pass', async () => {
    const events = [viewerRequest({ uri: '/' }), lambdaEvent('viewer-request', { uri: '/x', country: 'DE' })];
    const err = await expectSameEverywhere(mixed, events, { target: 'auto' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message).toContain("with target 'auto', 1 of 2 events have the wrong shape");
    expect(message).toContain('event #1 (viewer-request GET /x) is a Lambda@Edge event');
    expect(message).toContain('a CloudFront Function (cloudfront-js-2.0)');
    expect(message).toContain("eventFor('cff', 'viewer-request', ...)");
    await expect(expectSameEverywhere(mixed, [lambdaEvent('viewer-request')], { target: 'auto', runtimes: ['cloudfront-js-1.0'] })).rejects.toThrow(/runtime: 'cloudfront-js-1.0'/);
  });

  it('fails where the auto artifact differs from the source', async () => {
    const liar = defineMiddleware({
      name: 'liar', needs: [],
      request(ctx) { ctx.request.headers.set('x-v', 'hook'); },
      direct: { cff: () => ({ request: 'function (request) { request.headers["x-v"] = { value: "direct" }; return request; }' }) },
    });
    const broken = edge().use(liar).use(bodySize);
    const err = await expectSameEverywhere(broken, [viewerRequest({ uri: '/one' }), lambdaEvent('origin-request', { uri: '/two' })], { target: 'auto' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message).toContain('2 of 3 runs differ from the source run, on 1 of 2 events');
    expect(message).toContain('event #0 (viewer-request GET /one)');
    expect(message).toContain('njs (auto, cloudfront-js-2.0)');
    expect(message).toContain('request.headers.x-v: source ["hook"], artifact ["direct"]');
    expect(message).not.toContain('/two');
  });
});
