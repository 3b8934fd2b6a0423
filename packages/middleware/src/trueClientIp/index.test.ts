import { describe, expect, it } from 'vitest';
import { CODES, checkPipeline, edge, planPipeline, type Outcome } from '@edgeline/core';
import { eventFor, expectSameEverywhere, lambdaEvent, runPipeline, viewerRequest, type EventInit } from '@edgeline/core/testing';
import { hasNjs } from '@edgeline/cf-target';
import { runPortably, type HookCase } from '../testing/portable.js';
import { trueClientIp } from '.';

const njsInstalled = await hasNjs();

function headers(out: Outcome): Record<string, string[]> {
  if (out.kind !== 'forward') throw new Error(`expected the request to go on, got ${out.kind}`);
  return out.request.headers;
}

/** Seeded (mulberry32): the same addresses on every run. */
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

function randomIps(seed: number, count: number): string[] {
  const r = prng(seed);
  const byte = () => Math.floor(r() * 256);
  const hex = () => Math.floor(r() * 65536).toString(16);
  return Array.from({ length: count }, () => (r() < 0.6 ? `${byte()}.${byte()}.${byte()}.${byte()}` : `${hex()}:${hex()}::${hex()}`));
}

// Where the hook runs: viewer-request on CloudFront Functions, origin-request on Lambda@Edge.
const shapes = [
  { shape: 'cff' as const, eventType: 'viewer-request' as const },
  { shape: 'lambda' as const, eventType: 'origin-request' as const },
];

for (const { shape, eventType } of shapes) {
  const run = async (init: EventInit, mw = trueClientIp()) => headers(await runPipeline(mw, eventFor(shape, eventType, init)));

  describe(`trueClientIp (${shape}, ${eventType})`, () => {
    it("sets true-client-ip to the viewer's address, IPv4 or IPv6", async () => {
      expect((await run({ ip: '203.0.113.178' }))['true-client-ip']).toEqual(['203.0.113.178']);
      expect((await run({ ip: '2001:db8::1' }))['true-client-ip']).toEqual(['2001:db8::1']);
    });

    it('uses the configured header, in any case', async () => {
      const h = await run({ ip: '198.51.100.7' }, trueClientIp({ header: 'X-Client-IP' }));
      expect(h['x-client-ip']).toEqual(['198.51.100.7']);
      expect(h['true-client-ip']).toBeUndefined();
    });

    it('leaves the rest of the request alone', async () => {
      const h = await run({ ip: '198.51.100.7', headers: { 'X-Forwarded-For': '10.0.0.1', Accept: 'text/html' } });
      expect(h['x-forwarded-for']).toEqual(['10.0.0.1']);
      expect(h.accept).toEqual(['text/html']);
    });
  });

  describe(`security: trueClientIp cannot be forged (${shape})`, () => {
    it('replaces every value the viewer sent in the header', async () => {
      expect((await run({ ip: '198.51.100.7', headers: { 'True-Client-IP': ['127.0.0.1', '10.0.0.1'] } }))['true-client-ip']).toEqual(['198.51.100.7']);
      const huge = 'x'.repeat(8000);
      expect((await run({ ip: '198.51.100.7', headers: { 'true-client-ip': huge } }))['true-client-ip']).toEqual(['198.51.100.7']);
      expect((await run({ ip: '198.51.100.7', headers: { 'true-client-ip': 'ü😀\ud800' } }))['true-client-ip']).toEqual(['198.51.100.7']);
    });
  });
}

describe('trueClientIp targets', () => {
  it('runs at viewer-request on CloudFront Functions and at origin-request on Lambda@Edge, with no capability', () => {
    const p = edge().use(trueClientIp());
    for (const target of ['cloudfront-js-1.0', 'cloudfront-js-2.0'] as const) {
      expect(checkPipeline(p, target)).toEqual([]);
      const plan = planPipeline(p, target);
      expect(plan.ok && plan.placements[0].request).toBe('viewer-request');
    }
    const plan = planPipeline(p, 'lambda');
    expect(plan.ok && plan.placements[0].request).toBe('origin-request');
  });

  it('leaves a Lambda@Edge viewer-request alone (it runs at origin-request)', async () => {
    const h = headers(await runPipeline(trueClientIp(), lambdaEvent('viewer-request', { ip: '198.51.100.7' })));
    expect(h['true-client-ip']).toBeUndefined();
  });

  it('lowers to ES5 and gives the same headers in njs as in Node', async () => {
    const cases: HookCase[] = [{ headers: {} }, { headers: { 'true-client-ip': 'forged' } }];
    const { njs, node } = await runPortably(trueClientIp({ header: 'x-ip' }), 'request', cases);
    expect(njs).toEqual(node);
    expect(njs.map((r) => r.headers['x-ip'])).toEqual(['198.51.100.11', '198.51.100.11']);
  });

  it.skipIf(!njsInstalled)('gives the same outcome from source, vm emulator, njs (1.0 and 2.0) and Lambda@Edge on seeded random viewers', async () => {
    const ips = randomIps(99, 150);
    const events = [
      ...ips.map((ip, i) => viewerRequest({ ip, uri: `/p/${i}`, headers: i % 3 ? {} : { 'true-client-ip': 'forged' } })),
      ...ips.slice(0, 30).map((ip) => lambdaEvent('origin-request', { ip, headers: { 'true-client-ip': 'forged' } })),
    ];
    await expectSameEverywhere(trueClientIp(), events, { runtimes: ['cloudfront-js-1.0', 'cloudfront-js-2.0'] });
  }, 60000);
});

describe('trueClientIp options', () => {
  const bad: [string, unknown][] = [
    ['header', { header: '' }],
    ['header', { header: 'bad name' }],
    ['header', { header: 'x-ip\r\n' }],
    ['header', { header: 42 }],
    ['header', { header: 'host' }],
    ['header', { header: 'Cookie' }],
    ['header', { header: 'authorization' }],
    ['header', { header: 'content-length' }],
    ['header', { header: 'transfer-encoding' }],
    ['header', { header: 'via' }],
    ['header', { header: 'x-real-ip' }],
    ['header', { header: 'x-forwarded-proto' }],
    ['header', { header: 'x-amz-cf-id' }],
    ['header', { header: 'x-edge-location' }],
    ['header', { header: 'connection' }],
    ['header', { header: 'accept-encoding' }],
    ['header', { header: 'if-none-match' }],
    ['header', { header: 'x-forwarded-for' }],
    ['header', { header: 'Forwarded' }],
    ['header', { header: 'cloudfront-viewer-address' }],
    ['header', { header: 'constructor' }],
    ['header', { header: '__proto__' }],
    ['headers', { headers: 'x-ip' }],
    ['options', 'x-ip'],
  ];
  for (const [option, options] of bad) {
    it(`refuses ${JSON.stringify(options)}, naming ${option}`, () => {
      expect(() => trueClientIp(options as never)).toThrow(expect.objectContaining({ code: CODES.config, option }));
      expect(() => trueClientIp(options as never)).toThrow(/^trueClientIp \S+: /);
    });
  }

  it('lower-cases the header name', () => {
    expect(trueClientIp({ header: 'X-Client-IP' }).config).toEqual({ header: 'x-client-ip' });
    expect(trueClientIp().config).toEqual({ header: 'true-client-ip' });
  });
});
