import { describe, expect, it } from 'vitest';
import { edge, type Middleware, type Pipeline } from '@edgeline/core';
import { eventFor, expectSameEverywhere, runPipeline, type EventInit } from '@edgeline/core/testing';
import type { CffEvent, LeEvent } from '@edgeline/core/runtime';
import { buildCf, hasNjs } from '@edgeline/cf-target';
import { buildLambda } from '@edgeline/lambda-target';
import { cacheKeyFromBasicAuth } from '.';

// cacheKeyFromBasicAuth keeps its hand-written CloudFront and Lambda@Edge code: it decodes with
// the runtime's own base64 decoder, where the hook (lowered from TypeScript) decodes with a loop
// per character (~4x the instructions on CloudFront). These seeded random requests prove the
// hand-written code equal to the hook, option combinations included, on cloudfront-js-1.0 and
// 2.0 (njs and the emulator) and Lambda@Edge.

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

const b64 = (s: string | Buffer) => (typeof s === 'string' ? Buffer.from(s) : s).toString('base64');

/** Authorization values: valid credentials, UTF-8 and not, bad padding and alphabet, other schemes. */
function randomInits(seed: number, n: number): EventInit[] {
  const rnd = mulberry32(seed);
  const pick = <T>(l: readonly T[]): T => l[Math.floor(rnd() * l.length)];
  const credentials = ['alice:pw', 'bob@example.com:correct horse', 'ünïcødé:pässwort', 'carol:a:b:c', ':nouser', 'nocolon', 'dave:', 'x'.repeat(700) + ':y'];
  const scheme = () => pick(['Basic ', 'basic ', 'BASIC ', 'Basic  ', 'Bearer ', 'Basic', 'Digest ']);
  const value = (): string => {
    const r = rnd();
    if (r < 0.45) return scheme() + b64(pick(credentials));
    if (r < 0.55) return scheme() + b64(pick(credentials)).replace(/=+$/, '');
    if (r < 0.62) return scheme() + b64(Buffer.from([0x61, 0x3a, 0xff, 0xfe, 0x62]));
    if (r < 0.67) return scheme() + b64(Buffer.from([0xc3, 0x3a, 0x70]));
    if (r < 0.72) return scheme() + b64(pick(credentials)) + '=';
    if (r < 0.77) return scheme() + '%%%' + b64(pick(credentials));
    if (r < 0.82) return scheme() + b64(pick(credentials)).slice(0, -1);
    if (r < 0.87) return scheme() + ' ' + b64(pick(credentials)) + ' ';
    if (r < 0.9) return scheme() + 'YQ==YQ==';
    return pick(['', 'Basic ', 'Basic =', 'Basic YWxpY2U6cHc=\t', 'Basic\tYWxpY2U6cHc=']);
  };
  return Array.from({ length: n }, () => {
    const headers: Record<string, string> = {};
    if (rnd() < 0.9) headers.Authorization = value();
    if (rnd() < 0.3) headers['Username-Cache-Key'] = 'forged';
    if (rnd() < 0.2) headers['X-Key'] = 'forged';
    return { uri: pick(['/', '/reports/q3', '/a b']), headers };
  });
}

const configs: Middleware[] = [
  cacheKeyFromBasicAuth(),
  cacheKeyFromBasicAuth({ keyFrom: 'user' }),
  cacheKeyFromBasicAuth({ hash: 'sha256', header: 'X-Key' }),
  cacheKeyFromBasicAuth({ hash: 'sha1', keyFrom: 'user', header: 'x-key' }),
];

describe('cacheKeyFromBasicAuth: the hand-written code equals the hook (seeded random requests, cf 1.0 and 2.0, lambda)', () => {
  configs.forEach((mw, k) => {
    it(`config ${k}`, async () => {
      const pipeline = edge().use(mw) as Pipeline<never>;
      // The hand-written code is what the build uses: the runtime's own decoder, no loop per character.
      for (const runtime of ['cloudfront-js-1.0', 'cloudfront-js-2.0'] as const) {
        const cf = await buildCf({ pipeline, runtime });
        expect(cf.ok && cf.artifacts[0].code).toContain(runtime === 'cloudfront-js-1.0' ? 'bytesFrom' : 'Buffer.from');
      }
      const lambda = await buildLambda({ pipeline });
      expect(lambda.ok && lambda.artifacts[0].code).toContain('isUtf8');
      const inits = randomInits(5300 + k, 60);
      const events = [
        ...inits.map((i) => eventFor('cff', 'viewer-request', i) as CffEvent),
        ...inits.map((i) => eventFor('lambda', 'viewer-request', i) as LeEvent),
      ];
      const engines = njsInstalled ? (['emulator', 'njs'] as const) : (['emulator'] as const);
      await expectSameEverywhere(mw, events, { engines });
      // The mix reaches both outcomes: a key set, and none.
      const keyed = await Promise.all(inits.map(async (i) => {
        const out = await runPipeline(mw, eventFor('lambda', 'viewer-request', i));
        return out.kind === 'forward' && Object.keys(out.request.headers).some((h) => h === 'x-key' || h === 'username-cache-key');
      }));
      expect(new Set(keyed).size).toBe(2);
    });
  });
});
