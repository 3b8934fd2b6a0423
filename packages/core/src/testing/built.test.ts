import { describe, expect, it } from 'vitest';
import { defineMiddleware, edge, CODES } from '../index.js';
import { lambdaEvent, runBuilt, runPipeline, viewerRequest, viewerResponse, ArtifactRunError } from './index.js';
import { builtFor } from './built.js';

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
const withoutRaw = ({ raw: _raw, ...rest }: { raw: unknown }) => rest;

describe('runBuilt', () => {
  for (const engine of ['njs', 'emulator'] as const) {
    it(`runs a CloudFront Functions event through the cf artifact (${engine}), with runPipeline's outcome`, async () => {
      for (const event of [viewerRequest({ uri: '/a', ip: '203.0.113.7' }), viewerRequest({ uri: '/private/x' }), viewerRequest({ uri: '/boom' }), viewerResponse()]) {
        const built = await runBuilt(pipeline, event, { engine });
        expect(withoutRaw(built)).toEqual(withoutRaw(await runPipeline(pipeline, event, { log: () => {} })));
      }
    });
  }

  it('answers 502 for a hook that throws, as runPipeline does', async () => {
    const out = await runBuilt(pipeline, viewerRequest({ uri: '/boom' }));
    expect(out.kind === 'respond' && out.response.status).toBe(502);
    expect(out.kind === 'respond' && out.response.headers['x-stamp']).toEqual(['edgeline']);
  });

  it('runs a Lambda@Edge event through the Lambda artifact', async () => {
    for (const event of [lambdaEvent('viewer-request', { uri: '/a' }), lambdaEvent('viewer-request', { uri: '/private' }), lambdaEvent('viewer-response', { status: 404 })]) {
      expect(withoutRaw(await runBuilt(pipeline, event))).toEqual(withoutRaw(await runPipeline(pipeline, event)));
    }
  });

  it('passes an event on untouched where no hook runs (CloudFront runs no function)', async () => {
    const out = await runBuilt(stamp, lambdaEvent('origin-request', { uri: '/x' }));
    expect(out.kind === 'forward' && out.request.uri).toBe('/x');
  });

  it('builds once per pipeline object and options', () => {
    const p = edge().use(stamp);
    expect(builtFor(p, 'cf', 'cloudfront-js-1.0', true)).toBe(builtFor(p, 'cf', 'cloudfront-js-1.0', true));
    expect(builtFor(p, 'cf', 'cloudfront-js-2.0', true)).not.toBe(builtFor(p, 'cf', 'cloudfront-js-1.0', true));
    expect(builtFor(p, 'lambda', 'cloudfront-js-1.0', true)).toBe(builtFor(p, 'lambda', 'cloudfront-js-2.0', true));
    expect(builtFor(edge().use(stamp), 'cf', 'cloudfront-js-1.0', true)).not.toBe(builtFor(p, 'cf', 'cloudfront-js-1.0', true));
  });

  it('builds for the default runtime of edge build, and reads a KeyValueStore on 2.0', async () => {
    const store = defineMiddleware({ name: 'store', needs: ['kvs', 'async'], async request(ctx) { ctx.request.headers.set('x-v', (await ctx.kvs('k')) ?? ''); } });
    await expect(runBuilt(store, viewerRequest(), { runtime: 'cloudfront-js-1.0' })).rejects.toMatchObject({ code: CODES.rejected });
    const out = await runBuilt(store, viewerRequest(), { kvs: { k: 'v' } });
    expect(out.kind === 'forward' && out.request.headers['x-v']).toEqual(['v']);
  });

  it('refuses an event of the other shape than its target', async () => {
    await expect(runBuilt(stamp, viewerRequest(), { target: 'lambda' })).rejects.toThrow(/eventFor\('lambda'/);
  });

  it('throws ArtifactRunError where CloudFront would answer an error', async () => {
    // A status CloudFront Functions refuse: the artifact's result is invalid.
    const bad = defineMiddleware({ name: 'bad', needs: [], request(ctx) { return ctx.respond({ status: 99 }); } });
    const err = await runBuilt(bad, viewerRequest(), { engine: 'emulator' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArtifactRunError);
  });
});
