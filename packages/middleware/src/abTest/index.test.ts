import { afterEach, describe, expect, it, vi } from 'vitest';
import { CODES, checkPipeline, defineMiddleware, edge, planPipeline, type Outcome } from '@edgeline/core';
import { eventFor, expectSameEverywhere, lambdaEvent, runPipeline, viewerRequest, viewerResponse, type EventInit } from '@edgeline/core/testing';
import { buildCf, hasNjs, runInEmulator, runInNjs } from '@edgeline/cf-target';
import type { CffEvent } from '@edgeline/core/runtime';
import { runPortably } from '../testing/portable.js';
import { abTest } from '.';

const njsInstalled = await hasNjs();
const home = abTest({ name: 'home', variants: { a: 50, b: 50 } });
const COOKIE_ATTRS = '; Path=/; Max-Age=2592000; SameSite=Lax';

/** Seeded (mulberry32): the same draws on every run. */
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

function forwarded(out: Outcome) {
  if (out.kind !== 'forward') throw new Error(`expected the request to go on, got ${out.kind}`);
  return out.request;
}
function responseHeaders(out: Outcome): Record<string, string[]> {
  if (out.kind === 'forward') throw new Error('expected a response');
  return out.response.headers;
}

afterEach(() => {
  vi.restoreAllMocks();
});

for (const shape of ['cff', 'lambda'] as const) {
  const request = async (init: EventInit, mw = home) => forwarded(await runPipeline(mw, eventFor(shape, 'viewer-request', init)));
  const response = async (init: EventInit, mw = home) => responseHeaders(await runPipeline(mw, eventFor(shape, 'viewer-response', init)));

  describe(`abTest (${shape})`, () => {
    it('assigns a new viewer a variant by Math.random(), rewrites the uri and tells the response hook', async () => {
      vi.spyOn(Math, 'random').mockReturnValue(0.7);
      const r = await request({ uri: '/x', querystring: 'q=1' });
      expect(r.uri).toBe('/b/x');
      expect(r.headers['x-ab-home']).toEqual(['b']);
      expect(r.querystring).toBe('q=1');
      vi.spyOn(Math, 'random').mockReturnValue(0.2);
      expect((await request({ uri: '/' })).uri).toBe('/a/');
    });

    it('keeps the variant a sticky cookie names, without drawing', async () => {
      const random = vi.spyOn(Math, 'random').mockReturnValue(0.99);
      expect((await request({ uri: '/x', cookies: { 'ab-home': 'a', other: '1' } })).uri).toBe('/a/x');
      expect(random).not.toHaveBeenCalled();
    });

    it('assigns anew when the cookie names no variant, or when not sticky', async () => {
      vi.spyOn(Math, 'random').mockReturnValue(0.1);
      for (const value of ['c', '', 'A', '__proto__', 'constructor', 'a; b', 'x'.repeat(4000), 'ü😀']) {
        expect((await request({ uri: '/x', cookies: { 'ab-home': value } })).uri).toBe('/a/x');
      }
      vi.spyOn(Math, 'random').mockReturnValue(0.9);
      const loose = abTest({ name: 'home', variants: { a: 1, b: 1 }, sticky: false });
      expect((await request({ uri: '/x', cookies: { 'ab-home': 'a' } }, loose)).uri).toBe('/b/x');
    });

    it('replaces a variant header the viewer sent', async () => {
      vi.spyOn(Math, 'random').mockReturnValue(0.1);
      expect((await request({ uri: '/x', headers: { 'X-AB-Home': ['b', 'c'] } })).headers['x-ab-home']).toEqual(['a']);
    });

    it('sets the cookie on the response when the viewer lacks it or holds another value', async () => {
      expect((await response({ headers: { 'x-ab-home': 'b' } }))['set-cookie']).toEqual([`ab-home=b${COOKIE_ATTRS}`]);
      expect((await response({ headers: { 'x-ab-home': 'a' }, cookies: { 'ab-home': 'zz' } }))['set-cookie']).toEqual([`ab-home=a${COOKIE_ATTRS}`]);
      expect((await response({ headers: { 'x-ab-home': 'a' }, cookies: { 'ab-home': 'a' } }))['set-cookie']).toBeUndefined();
    });

    it("keeps the origin's cookies and adds its own", async () => {
      const h = await response({ headers: { 'x-ab-home': 'b' }, responseHeaders: { 'Set-Cookie': ['session=1; Secure', 'seen=1'] } });
      expect(h['set-cookie']).toEqual(['session=1; Secure', 'seen=1', `ab-home=b${COOKIE_ATTRS}`]);
    });

    it('sets a session cookie when not sticky, under the configured cookie name', async () => {
      const loose = abTest({ name: 'home', variants: { a: 1, b: 1 }, sticky: false, cookie: 'variant' });
      expect((await response({ headers: { 'x-ab-home': 'b' } }, loose))['set-cookie']).toEqual(['variant=b; Path=/; SameSite=Lax']);
    });

    it('with three variants, sets the cookie of each and none for a forged header', async () => {
      const three = abTest({ name: 'home', variants: { a: 1, b: 1, c: 2 } });
      for (const v of ['a', 'b', 'c']) expect((await response({ headers: { 'x-ab-home': v } }, three))['set-cookie']).toEqual([`ab-home=${v}${COOKIE_ATTRS}`]);
      expect((await response({ headers: { 'x-ab-home': 'c' }, cookies: { 'ab-home': 'c' } }, three))['set-cookie']).toBeUndefined();
      for (const v of ['d', '', '__proto__']) expect((await response({ headers: { 'x-ab-home': v } }, three))['set-cookie']).toBeUndefined();
    });

    it('sets no cookie for a request its request hook did not see, or a forged header', async () => {
      for (const v of [undefined, 'c', '', '__proto__', 'a\r\nSet-Cookie: x=1']) {
        const init: EventInit = v === undefined ? {} : { headers: { 'x-ab-home': v } };
        expect((await response(init))['set-cookie']).toBeUndefined();
      }
    });
  });
}

describe('abTest: the cookie reaches the response of the same request', () => {
  it('within one invocation, when a later middleware answers early', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.9);
    const gate = defineMiddleware({ name: 'gate', needs: [], request: (ctx) => ctx.respond({ status: 403, body: ctx.request.uri }) });
    for (const shape of ['cff', 'lambda'] as const) {
      const out = await runPipeline(edge().use(home).use(gate), eventFor(shape, 'viewer-request', { uri: '/x' }));
      expect(out.kind === 'respond' && out.response.body).toBe('/b/x');
      expect(responseHeaders(out)['set-cookie']).toEqual([`ab-home=b${COOKIE_ATTRS}`]);
    }
  });

  it.skipIf(!njsInstalled)('across the two CloudFront Functions: the viewer-response event carries the request the viewer-request function returned', async () => {
    const built = await buildCf({ pipeline: edge().use(home), runtime: 'cloudfront-js-1.0' });
    if (!built.ok) throw new Error(JSON.stringify(built.violations));
    const code = (t: string) => built.artifacts.find((a) => a.eventType === t)!.code;
    const requests = [viewerRequest({ uri: '/x' }), viewerRequest({ uri: '/y', cookies: { 'ab-home': 'a' } })];
    const out = await runInNjs(code('viewer-request'), requests, { runtime: 'cloudfront-js-1.0' });
    // What CloudFront does between the two: the response event's request is the one returned.
    const responses = out.map((r, i) => {
      if (!r.ok) throw new Error(r.error);
      const event = viewerResponse({ responseHeaders: { 'content-type': 'text/html' } });
      event.request = r.result as CffEvent['request'];
      expect(event.request.uri).toBe(`/${(r.result as { headers: Record<string, { value: string }> }).headers['x-ab-home'].value}${i ? '/y' : '/x'}`);
      return event;
    });
    const res = await runInNjs(code('viewer-response'), responses, { runtime: 'cloudfront-js-1.0' });
    const first = res[0].ok && (res[0].result as { cookies: Record<string, { value: string; attributes: string }> }).cookies['ab-home'];
    expect(first && ['a', 'b']).toContain(first && first.value);
    expect(first && first.attributes).toBe('Path=/; Max-Age=2592000; SameSite=Lax');
    expect(res[1].ok && (res[1].result as { cookies: Record<string, unknown> }).cookies['ab-home']).toBeUndefined();
  });
});

describe('abTest assignment is uniform by weight', () => {
  /** Pearson's chi-square of the counts against the weights. */
  function chiSquare(counts: Record<string, number>, weights: Record<string, number>): number {
    const n = Object.values(counts).reduce((a, b) => a + b, 0);
    const total = Object.values(weights).reduce((a, b) => a + b, 0);
    return Object.keys(weights).reduce((x, k) => {
      const expected = (n * weights[k]) / total;
      return x + ((counts[k] ?? 0) - expected) ** 2 / expected;
    }, 0);
  }

  it('in the source, with a seeded Math.random: chi-square below the 0.1% critical value', async () => {
    const weights = { a: 50, b: 30, c: 15, d: 5 };
    const mw = abTest({ name: 'split', variants: weights });
    vi.spyOn(Math, 'random').mockImplementation(prng(20240917));
    const counts: Record<string, number> = {};
    for (let i = 0; i < 4000; i++) {
      const v = forwarded(await runPipeline(mw, viewerRequest({ uri: '/' }), { portable: i === 0 })).headers['x-ab-split'][0];
      counts[v] = (counts[v] ?? 0) + 1;
    }
    expect(Object.keys(counts).sort()).toEqual(['a', 'b', 'c', 'd']);
    // 3 degrees of freedom: P(X > 16.27) = 0.001. Deterministic: the draws are seeded.
    expect(chiSquare(counts, weights)).toBeLessThan(16.27);
  }, 30000);

  it('maps the draw to the variant whose share of [0, 1) holds it, weights as given', async () => {
    const mw = abTest({ name: 'split', variants: { a: 1, b: 2, c: 1 } });
    const at = async (r: number) => {
      vi.spyOn(Math, 'random').mockReturnValue(r);
      return forwarded(await runPipeline(mw, viewerRequest({ uri: '/' }))).uri;
    };
    expect([await at(0), await at(0.2499), await at(0.25), await at(0.7499), await at(0.75), await at(0.999999)]).toEqual(['/a/', '/a/', '/b/', '/b/', '/c/', '/c/']);
    expect((mw.config as { bounds: number[] }).bounds).toEqual([0.25, 0.75, 1]);
  });

  it.skipIf(!njsInstalled)("in the built CloudFront Functions (njs, vm emulator, 1.0 and 2.0) with the engine's own Math.random: each share within 6 standard deviations", async () => {
    const weights = { a: 70, b: 20, c: 10 };
    const n = 2000;
    const events = Array.from({ length: n }, (_, i) => viewerRequest({ uri: `/p/${i}` }));
    for (const runtime of ['cloudfront-js-1.0', 'cloudfront-js-2.0'] as const) {
      const built = await buildCf({ pipeline: edge().use(abTest({ name: 'split', variants: weights })), runtime });
      if (!built.ok) throw new Error(JSON.stringify(built.violations));
      const code = built.artifacts.find((a) => a.eventType === 'viewer-request')!.code;
      const njs = await runInNjs(code, events, { runtime });
      const vm = await Promise.all(events.slice(0, 400).map((e) => runInEmulator(code, e, { runtime })));
      for (const [engine, runs] of [['njs', njs], ['vm', vm]] as const) {
        const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
        for (const r of runs) {
          if (!r.ok) throw new Error(r.error);
          const req = r.result as { uri: string; headers: Record<string, { value: string }> };
          const v = req.headers['x-ab-split'].value;
          expect(req.uri.startsWith(`/${v}/p/`)).toBe(true);
          counts[v]++;
        }
        for (const [k, w] of Object.entries(weights)) {
          const p = w / 100;
          const sd = Math.sqrt(runs.length * p * (1 - p));
          expect(Math.abs(counts[k] - runs.length * p), `${runtime} ${engine} ${k}: ${counts[k]} of ${runs.length}`).toBeLessThan(6 * sd);
        }
      }
    }
  }, 60000);
});

describe('abTest targets', () => {
  it('runs both hooks at the viewer events everywhere: a Set-Cookie is never cached with an object', () => {
    const p = edge().use(home);
    for (const target of ['cloudfront-js-1.0', 'cloudfront-js-2.0', 'lambda'] as const) {
      expect(checkPipeline(p, target)).toEqual([]);
      const plan = planPipeline(p, target);
      expect(plan.ok && plan.placements[0]).toMatchObject({ request: 'viewer-request', response: 'viewer-response' });
    }
  });

  it('lowers to ES5 and gives the same results in njs as in Node (returning viewers)', async () => {
    const requests = [{ uri: '/x' }, { uri: '/', headers: { cookie: 'ab-home=b' } }];
    const responses = [{ headers: { 'x-ab-home': 'b' } }, { headers: { 'x-ab-home': 'nope' } }, {}];
    const req = await runPortably(home, 'request', requests);
    // The portable driver's cookies are empty: every request draws, so only the shape is compared.
    expect(req.njs.map((r) => /^[ab]$/.test(r.headers['x-ab-home']))).toEqual([true, true]);
    const res = await runPortably(home, 'response', responses);
    expect(res.njs).toEqual(res.node);
    expect(res.njs.map((r) => r.responseHeaders['set-cookie'] ?? null)).toEqual([`ab-home=b${COOKIE_ATTRS}`, null, null]);
  });

  it.skipIf(!njsInstalled)('gives the same outcome from source, vm emulator, njs (1.0 and 2.0) and Lambda@Edge on seeded random events where the outcome is determined', async () => {
    const r = prng(77);
    const values = ['a', 'b', 'c', '', 'B', '__proto__', 'ü', 'x'.repeat(3000)];
    const uris = ['/', '/x', '/a/b.css', '/%zz', '/ü/😀', '/' + 'p/'.repeat(500)];
    const pick = <T>(l: T[]) => l[Math.floor(r() * l.length)];
    const inits: EventInit[] = Array.from({ length: 80 }, (_, i) => ({
      uri: pick(uris),
      // A valid sticky cookie decides the variant; others carry one of the hostile values in the variant header.
      cookies: { 'ab-home': pick(['a', 'b']), ...(i % 4 ? {} : { other: pick(values) }) } as Record<string, string>,
      headers: { 'x-ab-home': pick(values) },
      status: pick([200, 304, 404, 500]),
      responseHeaders: (i % 3 ? {} : { 'Set-Cookie': ['s=1; Secure'] }) as Record<string, string[]>,
    }));
    const responseInits: EventInit[] = inits.map((init, i) => ({ ...init, cookies: (i % 2 ? {} : { 'ab-home': pick(values) }) as Record<string, string> }));
    const events = [
      ...inits.map((init) => viewerRequest(init)),
      ...responseInits.map((init) => viewerResponse(init)),
      ...inits.slice(0, 25).map((init) => lambdaEvent('viewer-request', init)),
      ...responseInits.slice(0, 25).map((init) => lambdaEvent('viewer-response', init)),
    ];
    await expectSameEverywhere(home, events, { runtimes: ['cloudfront-js-1.0', 'cloudfront-js-2.0'] });
    // Three variants (the table and the Set-Cookie built per request) and a non-sticky pair (no cookie read).
    const three = abTest({ name: 'home', variants: { a: 1, b: 1, c: 2 } });
    const threeEvents = responseInits.map((init, i) => viewerResponse({ ...init, headers: { 'x-ab-home': i % 3 ? pick(values) : pick(['a', 'b', 'c']) } }));
    await expectSameEverywhere(three, [...inits.map((init) => viewerRequest(init)), ...threeEvents, ...responseInits.slice(0, 25).map((init) => lambdaEvent('viewer-response', init))], {
      runtimes: ['cloudfront-js-1.0', 'cloudfront-js-2.0'],
    });
    const loose = abTest({ name: 'home', variants: { a: 1, b: 1 }, sticky: false });
    await expectSameEverywhere(loose, responseInits.map((init) => viewerResponse(init)), { runtimes: ['cloudfront-js-1.0', 'cloudfront-js-2.0'] });
    // One variant: new viewers are determined too.
    const only = abTest({ name: 'home', variants: { b: 1 } });
    await expectSameEverywhere(only, [viewerRequest({ uri: '/x' }), lambdaEvent('viewer-request', { uri: '/x' }), viewerResponse({ headers: { 'x-ab-home': 'b' } })], { runtimes: ['cloudfront-js-1.0', 'cloudfront-js-2.0'] });
  }, 60000);
});

describe('abTest options', () => {
  const v = { a: 50, b: 50 };
  const bad: [string, unknown][] = [
    ['name', { variants: v }],
    ['name', { name: '', variants: v }],
    ['name', { name: 'Home', variants: v }],
    ['name', { name: 'a b', variants: v }],
    ['name', { name: '-x', variants: v }],
    ['name', { name: 'x'.repeat(64), variants: v }],
    ['variants', { name: 'h' }],
    ['variants', { name: 'h', variants: {} }],
    ['variants', { name: 'h', variants: ['a', 'b'] }],
    ['variants', { name: 'h', variants: 'a,b' }],
    ['variants.c', { name: 'h', variants: { a: 1, c: 0 } }],
    ['variants.c', { name: 'h', variants: { a: 1, c: -1 } }],
    ['variants.c', { name: 'h', variants: { a: 1, c: Infinity } }],
    ['variants.c', { name: 'h', variants: { a: 1, c: NaN } }],
    ['variants.c', { name: 'h', variants: { a: 1, c: '50' } }],
    ['variants.a/b', { name: 'h', variants: { 'a/b': 1 } }],
    ['variants...', { name: 'h', variants: { '..': 1 } }],
    ['variants.a b', { name: 'h', variants: { 'a b': 1 } }],
    ['variants.ü', { name: 'h', variants: { ü: 1 } }],
    ['variants.constructor', { name: 'h', variants: { constructor: 1 } }],
    ['variants.__proto__', JSON.parse('{ "name": "h", "variants": { "__proto__": 1 } }')],
    ['cookie', { name: 'h', variants: v, cookie: '' }],
    ['cookie', { name: 'h', variants: v, cookie: 'a=b' }],
    ['cookie', { name: 'h', variants: v, cookie: 'a;b' }],
    ['cookie', { name: 'h', variants: v, cookie: 'toString' }],
    ['cookie', { name: 'h', variants: v, cookie: '__Host-ab' }],
    ['cookie', { name: 'h', variants: v, cookie: 42 }],
    ['sticky', { name: 'h', variants: v, sticky: 'yes' }],
    ['weights', { name: 'h', variants: v, weights: v }],
    ['options', 'h'],
  ];
  for (const [option, options] of bad) {
    it(`refuses ${JSON.stringify(options)}, naming ${option}`, () => {
      expect(() => abTest(options as never)).toThrow(expect.objectContaining({ code: CODES.config, option }));
      expect(() => abTest(options as never)).toThrow(/^abTest [^:]+: /);
    });
  }

  it("refuses { variants: { __proto__: ... } } written as a literal, which sets the prototype", () => {
    // eslint-disable-next-line no-proto
    expect(() => abTest({ name: 'h', variants: { __proto__: { a: 1 }, b: 1 } as unknown as Record<string, number> })).toThrow(expect.objectContaining({ option: 'variants.__proto__' }));
  });

  it('precomputes the table, the bounds and the cookie attributes', () => {
    expect(abTest({ name: 'home', variants: { a: 3, b: 1 } }).config).toEqual({
      header: 'x-ab-home', cookie: 'ab-home', variants: { a: 1, b: 1 }, names: ['a', 'b'], bounds: [0.75, 1], sticky: true, attributes: COOKIE_ATTRS,
      pair: true, a: 'a', b: 'b', bound: 0.75, setA: `ab-home=a${COOKIE_ATTRS}`, setB: `ab-home=b${COOKIE_ATTRS}`,
    });
    expect(abTest({ name: 'home', variants: { a: 0.1, b: 0.2 }, cookie: 'AB', sticky: false }).config).toMatchObject({ cookie: 'AB', bounds: [1 / 3, 1], attributes: '; Path=/; SameSite=Lax' });
  });
});
