import { describe, expect, it } from 'vitest';
import { ConfigError, edge, type Outcome } from '@edgeline/core';
import { expectSameEverywhere, lambdaEvent, runPipeline, viewerRequest } from '@edgeline/core/testing';
import { buildCf, hasNjs, runInNjs } from '@edgeline/cf-target';
import { normalizeQuery, type NormalizeQueryOptions } from '.';

const njsInstalled = await hasNjs();

function queryOf(out: Outcome): string {
  if (out.kind !== 'forward') throw new Error(`expected the request to go on, got ${out.kind}`);
  return out.request.querystring;
}

/** The query string each target hands on, for the same viewer request. */
async function everywhere(options: NormalizeQueryOptions, query: string): Promise<string[]> {
  const mw = normalizeQuery(options);
  return Promise.all([
    runPipeline(mw, viewerRequest({ querystring: query }), { target: 'cloudfront-js-1.0' }).then(queryOf),
    runPipeline(mw, viewerRequest({ querystring: query }), { target: 'cloudfront-js-2.0' }).then(queryOf),
    runPipeline(mw, lambdaEvent('viewer-request', { querystring: query })).then(queryOf),
  ]);
}

/** Seeded (mulberry32): the same events on every run. */
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

function randomQueries(seed: number, count: number): string[] {
  const r = prng(seed);
  const names = ['a', 'b', 'B', 'utm_source', 'q', 'page', 'x%20y', 'constructor', '__proto__', 'z', 'c', 'd', 'e', 'f', 'g', 'h', 'i'];
  const values = ['1', '', '2', 'a+b', '%zz', 'x=y', '%E4%B8%AD'];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = Math.floor(r() * 16);
    const parts: string[] = [];
    for (let k = 0; k < n; k++) {
      const roll = r();
      const name = names[Math.floor(r() * names.length)];
      parts.push(roll < 0.08 ? '' : roll < 0.2 ? name : `${name}=${values[Math.floor(r() * values.length)]}`);
    }
    out.push(parts.join('&'));
  }
  return out;
}

describe('normalizeQuery', () => {
  it('sorts by name (values of a name keep their order), drops empty pairs and writes `c=` as `c`, the same on every target', async () => {
    expect(await everywhere({}, 'b=2&a=1&&a=3&c=')).toEqual(['a=1&a=3&b=2&c', 'a=1&a=3&b=2&c', 'a=1&a=3&b=2&c']);
    expect(await everywhere({}, 'a=2&b&a=1')).toEqual(['a=2&a=1&b', 'a=2&a=1&b', 'a=2&a=1&b']);
  });

  it('drops `=` as an empty pair on every target (CloudFront Functions 1.0 gets it as an empty name with an empty value)', async () => {
    expect(await everywhere({}, 'b=1&=&a=1')).toEqual(['a=1&b=1', 'a=1&b=1', 'a=1&b=1']);
    expect(await everywhere({}, '=&=')).toEqual(['', '', '']);
    expect(await everywhere({ sort: false }, 'b=1&=&a==')).toEqual(['b=1&a==', 'b=1&a==', 'b=1&a==']);
  });

  it('orders more than 10 names on CloudFront Functions 1.0 too (the text is handed back, not njs\'s object)', async () => {
    const names = 'mlkjihgfedcba'.split('');
    const query = names.map((n, i) => `${n}=${i}`).join('&');
    const want = [...names].sort().map((n) => `${n}=${names.indexOf(n)}`).join('&');
    expect(await everywhere({}, query)).toEqual([want, want, want]);
    if (njsInstalled) {
      for (const runtime of ['cloudfront-js-1.0', 'cloudfront-js-2.0'] as const) {
        const built = await buildCf({ pipeline: edge().use(normalizeQuery()), runtime });
        if (!built.ok) throw new Error(JSON.stringify(built.violations));
        const [run] = await runInNjs(built.artifacts[0].code, [viewerRequest({ querystring: query })], { runtime });
        expect(run.ok && (run.result as { querystring: unknown }).querystring, runtime).toBe(want);
      }
    }
  });

  it('lowercaseNames, allow and deny (names as sent, after lower-casing)', async () => {
    expect(await everywhere({ lowercaseNames: true }, 'B=1&a=2&b=3')).toEqual(['a=2&b=1&b=3', 'a=2&b=1&b=3', 'a=2&b=1&b=3']);
    expect(await everywhere({ allow: ['q', 'page'] }, 'utm_source=x&q=shoes&page=2&fbclid=1')).toEqual(['page=2&q=shoes', 'page=2&q=shoes', 'page=2&q=shoes']);
    expect(await everywhere({ deny: ['utm_source', 'fbclid'] }, 'utm_source=x&q=shoes&fbclid=1')).toEqual(['q=shoes', 'q=shoes', 'q=shoes']);
    expect(await everywhere({ deny: 'constructor' }, 'constructor=1&toString=2')).toEqual(['toString=2', 'toString=2', 'toString=2']);
    expect(await everywhere({ allow: 'q' }, 'constructor=1&__proto__=2&q=3')).toEqual(['q=3', 'q=3', 'q=3']);
    expect(await everywhere({ allow: 'q' }, 'x=1')).toEqual(['', '', '']);
  });

  it('sort: false keeps the order the runtime gives (Lambda@Edge and 2.0 as sent), still dropping empty pairs', async () => {
    const [, v2, lambda] = await everywhere({ sort: false }, 'b=2&&a=&a=1');
    expect([v2, lambda]).toEqual(['b=2&a&a=1', 'b=2&a&a=1']);
  });

  it('leaves alone what it cannot order the same everywhere or cheaply: no query, non-ASCII, more than maxParams', async () => {
    expect(await everywhere({}, '')).toEqual(['', '', '']);
    const wide = 'b=ü&a=1';
    const [, v2, lambda] = await everywhere({}, wide);
    expect([v2, lambda]).toEqual([wide, wide]);
    const many = Array.from({ length: 101 }, (_, i) => `p${100 - i}=1`).join('&');
    const [, m2, ml] = await everywhere({}, many);
    expect([m2, ml]).toEqual([many, many]);
    expect((await everywhere({ maxParams: 200 }, many))[2]).not.toBe(many);
  });

  it('hostile query strings never throw: odd escapes, thousands of parameters, separators only', async () => {
    const mw = normalizeQuery();
    for (const q of ['%', '=&=&=', '&&&&', 'a'.repeat(8000), Array(4000).fill('a').join('&'), '%zz=%zz&%E4%B8=1', '=x', 'a==b']) {
      for (const target of ['cloudfront-js-1.0', 'cloudfront-js-2.0'] as const) {
        const out = await runPipeline(mw, viewerRequest({ querystring: q }), { target });
        expect(out.kind, q.slice(0, 20)).toBe('forward');
      }
    }
    expect(queryOf(await runPipeline(mw, viewerRequest({ querystring: 'b=1&=x&a==b' }), { target: 'cloudfront-js-2.0' }))).toBe('=x&a==b&b=1');
  });

  it.skipIf(!njsInstalled)('gives the same outcome from source, vm emulator, njs (1.0 and 2.0) and Lambda@Edge on seeded random query strings', async () => {
    const queries = randomQueries(9, 120);
    const events = [...queries.map((querystring) => viewerRequest({ querystring })), ...queries.slice(0, 40).map((querystring) => lambdaEvent('viewer-request', { querystring }))];
    for (const options of [{}, { lowercaseNames: true, deny: ['utm_source', 'constructor'] }, { allow: ['a', 'b', 'q'] }]) {
      await expectSameEverywhere(normalizeQuery(options), events, { runtimes: ['cloudfront-js-1.0', 'cloudfront-js-2.0'] });
    }
  }, 60000);
});

describe('normalizeQuery options', () => {
  const bad: [string, unknown][] = [
    ['allow', { allow: ['a'], deny: ['b'] }],
    ['allow', { allow: [] }],
    ['allow[0]', { allow: [''] }],
    ['deny[1]', { deny: ['ok', 'a b'] }],
    ['deny', { deny: 'x&y' }],
    ['allow[0]', { allow: ['Q'], lowercaseNames: true }],
    ['maxParams', { maxParams: 0 }],
    ['maxParams', { maxParams: 1.5 }],
    ['maxParams', { maxParams: 5000 }],
    ['sort', { sort: 'yes' }],
    ['lowercaseNames', { lowercaseNames: 1 }],
    ['deny[1]', { deny: ['utm_source', '__proto__'] }],
    ['allow', { allow: '__proto__' }],
  ];
  for (const [option, options] of bad) {
    it(`refuses ${JSON.stringify(options)}, naming normalizeQuery and ${option}`, () => {
      try {
        normalizeQuery(options as NormalizeQueryOptions);
        throw new Error('accepted');
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        expect((e as ConfigError).option).toBe(option);
        expect((e as Error).message).toMatch(new RegExp(`^normalizeQuery ${option.replace(/[[\]]/g, '\\$&')}`));
      }
    });
  }

  it('refuses an unknown option', () => {
    expect(() => normalizeQuery({ sorted: true } as NormalizeQueryOptions)).toThrow(/normalizeQuery/);
  });
});
