import { describe, expect, it } from 'vitest';
import { CODES, checkPipeline, defineMiddleware, edge, planPipeline, type Outcome } from '@edgeline/core';
import { eventFor, expectSameEverywhere, lambdaEvent, runPipeline, viewerResponse, type EventInit } from '@edgeline/core/testing';
import { hasNjs } from '@edgeline/cf-target';
import { runPortably } from '../testing/portable.js';
import { cacheControl } from '.';

const njsInstalled = await hasNjs();
const YEAR = 'public, max-age=31536000, immutable';

function responseHeaders(out: Outcome): Record<string, string[]> {
  if (out.kind === 'forward') throw new Error('expected a response');
  return out.response.headers;
}

/** Seeded (mulberry32): the same responses on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomResponses(seed: number, count: number): EventInit[] {
  const r = prng(seed);
  const statuses = [200, 200, 201, 204, 206, 301, 302, 304, 307, 399, 400, 403, 404, 410, 500, 503];
  const origin = [undefined, 'no-store', 'max-age=60', '', 'ü', 'x'.repeat(4000)];
  return Array.from({ length: count }, (_, i) => {
    const status = statuses[Math.floor(r() * statuses.length)];
    const cc = origin[Math.floor(r() * origin.length)];
    const responseHeaders: Record<string, string | string[]> = { 'content-type': 'text/html' };
    if (cc !== undefined) responseHeaders[i % 2 ? 'Cache-Control' : 'cache-control'] = r() < 0.2 ? [cc, 'private'] : cc;
    if (r() < 0.3) responseHeaders['set-cookie'] = ['a=1; Secure', 'b=2'];
    return { uri: `/p/${i}`, status, responseHeaders };
  });
}

// Where each shape runs the hook: CloudFront Functions at viewer-response, Lambda@Edge at origin-response.
const shapes = [
  { shape: 'cff' as const, eventType: 'viewer-response' as const },
  { shape: 'lambda' as const, eventType: 'origin-response' as const },
];

for (const { shape, eventType } of shapes) {
  const run = async (init: EventInit, mw = cacheControl({ value: YEAR })) => responseHeaders(await runPipeline(mw, eventFor(shape, eventType, init)));

  describe(`cacheControl (${shape}, ${eventType})`, () => {
    it('sets Cache-Control on 2xx and 3xx responses by default', async () => {
      for (const status of [200, 204, 301, 304, 399]) expect((await run({ status }))['cache-control']).toEqual([YEAR]);
    });

    it('leaves other statuses alone', async () => {
      for (const status of [100, 199, 400, 404, 500, 503]) expect((await run({ status }))['cache-control']).toBeUndefined();
    });

    it("keeps the origin's value unless override", async () => {
      const init = { status: 200, responseHeaders: { 'Cache-Control': 'no-store' } };
      expect((await run(init))['cache-control']).toEqual(['no-store']);
      expect((await run(init, cacheControl({ value: YEAR, override: true })))['cache-control']).toEqual([YEAR]);
      const two = { status: 200, responseHeaders: { 'cache-control': ['no-cache', 'private'] } };
      expect((await run(two, cacheControl({ value: YEAR, override: true })))['cache-control']).toEqual([YEAR]);
      expect((await run(two))['cache-control']).toEqual(['no-cache', 'private']);
    });

    it('takes statuses as a range, a status, a comma list or a list', async () => {
      const mw = cacheControl({ value: 'no-store', statuses: '404' });
      expect((await run({ status: 404 }, mw))['cache-control']).toEqual(['no-store']);
      expect((await run({ status: 200 }, mw))['cache-control']).toBeUndefined();
      const list = cacheControl({ value: 'max-age=10', statuses: [200, '301-302', '404,410'] });
      const got = [];
      for (const status of [200, 201, 301, 302, 303, 404, 410, 500]) got.push((await run({ status }, list))['cache-control']?.[0] ?? null);
      expect(got).toEqual(['max-age=10', null, 'max-age=10', 'max-age=10', null, 'max-age=10', 'max-age=10', null]);
    });

    it('leaves every other header and the cookies alone', async () => {
      const h = await run({ status: 200, responseHeaders: { 'Content-Type': 'text/css', 'Set-Cookie': ['a=1', 'b=2'] } });
      expect(h['content-type']).toEqual(['text/css']);
      expect(h['set-cookie']).toEqual(['a=1', 'b=2']);
    });
  });
}

describe('cacheControl placement', () => {
  it('runs at viewer-response on CloudFront Functions and at origin-response on Lambda@Edge', () => {
    const p = edge().use(cacheControl({ value: YEAR }));
    for (const target of ['cloudfront-js-1.0', 'cloudfront-js-2.0'] as const) {
      expect(checkPipeline(p, target)).toEqual([]);
      const plan = planPipeline(p, target);
      expect(plan.ok && plan.placements[0].response).toBe('viewer-response');
    }
    const plan = planPipeline(p, 'lambda');
    expect(plan.ok && plan.placements[0].response).toBe('origin-response');
  });

  it('leaves a Lambda@Edge viewer-response alone (it ran at origin-response)', async () => {
    const h = responseHeaders(await runPipeline(cacheControl({ value: YEAR }), lambdaEvent('viewer-response', { status: 200 })));
    expect(h['cache-control']).toBeUndefined();
  });

  it('applies to an answer given early by a later middleware, by its status', async () => {
    const gate = defineMiddleware({ name: 'gate', needs: [], request: (ctx) => (ctx.request.uri === '/old' ? ctx.redirect('/new', 301) : ctx.respond({ status: 403, body: 'no' })) });
    const p = edge().use(cacheControl({ value: 'max-age=600' })).use(gate);
    for (const shape of ['cff', 'lambda'] as const) {
      expect(responseHeaders(await runPipeline(p, eventFor(shape, 'viewer-request', { uri: '/old' })))['cache-control']).toEqual(['max-age=600']);
      expect(responseHeaders(await runPipeline(p, eventFor(shape, 'viewer-request', { uri: '/x' })))['cache-control']).toBeUndefined();
    }
  });

  it('lowers to ES5 and gives the same headers in njs as in Node', async () => {
    const cases = [{ status: 200 }, { status: 404 }, { status: 304, responseHeaders: { 'cache-control': 'no-store' } }];
    for (const mw of [cacheControl({ value: YEAR }), cacheControl({ value: 'no-store', statuses: ['400-499', 503], override: true })]) {
      const { njs, node } = await runPortably(mw, 'response', cases);
      expect(njs).toEqual(node);
    }
  });

  it.skipIf(!njsInstalled)('gives the same outcome from source, vm emulator, njs (1.0 and 2.0) and Lambda@Edge on seeded random responses', async () => {
    const inits = randomResponses(314, 200);
    const events = [...inits.map((init) => viewerResponse(init)), ...inits.slice(0, 40).map((init) => lambdaEvent('origin-response', init))];
    for (const mw of [cacheControl({ value: YEAR }), cacheControl({ value: 'no-store', statuses: '400-599,204', override: true })]) {
      await expectSameEverywhere(mw, events, { runtimes: ['cloudfront-js-1.0', 'cloudfront-js-2.0'] });
    }
  }, 60000);
});

describe('cacheControl options', () => {
  const bad: [string, unknown][] = [
    ['value', undefined],
    ['options', 'no-store'],
    ['value', {}],
    ['value', { value: '' }],
    ['value', { value: '   ' }],
    ['value', { value: 42 }],
    ['value', { value: 'max-age=60\r\nSet-Cookie: a=1' }],
    ['value', { value: 'max-age 300' }],
    ['value', { value: 'public,, max-age=1' }],
    ['value', { value: 'max-age=' }],
    ['value', { value: 'mäx-age=1' }],
    ['statuses', { value: 'no-store', statuses: '' }],
    ['statuses', { value: 'no-store', statuses: '200-' }],
    ['statuses', { value: 'no-store', statuses: '399-200' }],
    ['statuses', { value: 'no-store', statuses: '2xx' }],
    ['statuses', { value: 'no-store', statuses: '99' }],
    ['statuses', { value: 'no-store', statuses: '200-600' }],
    ['statuses', { value: 'no-store', statuses: [] }],
    ['statuses', { value: 'no-store', statuses: true }],
    ['statuses', { value: 'no-store', statuses: 200.5 }],
    ['statuses[1]', { value: 'no-store', statuses: [200, 'x'] }],
    ['statuses[0]', { value: 'no-store', statuses: [1000] }],
    ['statuses[0]', { value: 'no-store', statuses: [null] }],
    ['override', { value: 'no-store', override: 'yes' }],
    ['status', { value: 'no-store', status: 200 }],
  ];
  for (const [option, options] of bad) {
    it(`refuses ${JSON.stringify(options)}, naming ${option}`, () => {
      expect(() => cacheControl(options as never)).toThrow(expect.objectContaining({ code: CODES.config, option }));
      expect(() => cacheControl(options as never)).toThrow(/^cacheControl \S+: /);
    });
  }

  it('compiles statuses to inclusive ranges', () => {
    expect(cacheControl({ value: 'no-store' }).config).toEqual({ value: 'no-store', from: 200, to: 399, more: '', override: false });
    expect(cacheControl({ value: 'no-store', statuses: [304, ' 400 - 404 , 410', 402] }).config).toMatchObject({ from: 400, to: 404, more: ',304,410,' });
    expect((cacheControl({ value: 'private="set-cookie, x-a", max-age=0' }).config as { value: string }).value).toBe('private="set-cookie, x-a", max-age=0');
  });
});
