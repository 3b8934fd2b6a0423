import { describe, expect, it } from 'vitest';
import { edge, type Middleware, type Pipeline } from '@edgeline/core';
import { eventFor, expectSameEverywhere, type EventInit } from '@edgeline/core/testing';
import type { CffEvent, LeEvent } from '@edgeline/core/runtime';
import { buildCf, hasNjs } from '@edgeline/cf-target';
import { buildLambda } from '@edgeline/lambda-target';
import { securityHeaders } from '.';

// securityHeaders has one source, its hook: the lowering writes its loop over the header list
// out (one assignment per header, as a hand-written function has it). These seeded random
// responses prove the derived code equal to the hook, option combinations included, on
// cloudfront-js-1.0 and 2.0 (njs and the emulator) and Lambda@Edge.

const njsInstalled = await hasNjs();

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Origin responses with and without the headers securityHeaders sets, in any case, some repeated. */
function randomInits(seed: number, n: number): EventInit[] {
  const rnd = mulberry32(seed);
  const pick = <T>(l: readonly T[]): T => l[Math.floor(rnd() * l.length)];
  const present: Record<string, string>[] = [
    {},
    { 'X-Frame-Options': 'SAMEORIGIN' },
    { 'x-frame-options': 'SAMEORIGIN', 'Content-Security-Policy': "default-src 'self'" },
    { 'Strict-Transport-Security': 'max-age=1', 'Referrer-Policy': 'no-referrer', 'X-Custom': 'origin' },
    { 'Access-Control-Allow-Origin': 'https://other.example', 'X-Content-Type-Options': 'nosniff' },
    { 'X-Xss-Protection': '0', 'Content-Type': 'text/html' },
  ];
  return Array.from({ length: n }, () => ({
    status: pick([200, 204, 301, 304, 404, 500, 503]),
    responseHeaders: { ...pick(present), ...(rnd() < 0.3 ? { 'Set-Cookie': ['a=1; Secure', 'b=2'] } : {}) },
  }));
}

const configs: Middleware[] = [
  securityHeaders(),
  securityHeaders({ override: false }),
  securityHeaders({ contentSecurityPolicy: "default-src 'self'", xXssProtection: false, cors: '*' }),
  securityHeaders({ override: false, cors: 'https://app.example.com', headers: { 'x-frame-options': 'SAMEORIGIN', 'permissions-policy': 'camera=()' } }),
  securityHeaders({ strictTransportSecurity: false, contentSecurityPolicy: false, xContentTypeOptions: false, xFrameOptions: false, xXssProtection: false, referrerPolicy: false, headers: { 'X-Robots-Tag': 'noindex' } }),
];

describe('securityHeaders: the derived code equals the hook (seeded random responses, cf 1.0 and 2.0, lambda)', () => {
  configs.forEach((mw, k) => {
    it(`config ${k}`, async () => {
      const pipeline = edge().use(mw) as Pipeline<never>;
      // Derived, with no loop left: no context runtime in the artifacts, one assignment per header.
      for (const runtime of ['cloudfront-js-1.0', 'cloudfront-js-2.0'] as const) {
        const cf = await buildCf({ pipeline, runtime, minify: false });
        expect(cf.ok && cf.artifacts[0].code).not.toMatch(/valueMap|__edge_s0/);
      }
      const lambda = await buildLambda({ pipeline, minify: false });
      // The handler and the hook, before the bundled runtime: straight-line, no loop, no map helper.
      const own = lambda.ok ? lambda.artifacts[0].code.split('\n// packages/')[0] : '';
      expect(own).toMatch(/__edge_s0/);
      expect(own).not.toMatch(/\bfor \(|__edge_lset|__edge_has/);
      const inits = randomInits(7100 + k, 40);
      const events = [
        ...inits.map((i) => eventFor('cff', 'viewer-response', i) as CffEvent),
        ...inits.map((i) => eventFor('lambda', 'origin-response', i) as LeEvent),
      ];
      const engines = njsInstalled ? (['emulator', 'njs'] as const) : (['emulator'] as const);
      await expectSameEverywhere(mw, events, { engines });
    });
  });
});
