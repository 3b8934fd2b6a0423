import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defineMiddleware, edge, type Pipeline } from '@edgeline/core';
import { expectSameEverywhere, runPipeline, toOutcome, viewerRequest, type Outcome } from '@edgeline/core/testing';
import type { CffEvent } from '@edgeline/core/runtime';
import { buildCf, hasNjs, runInEmulator, runInNjs } from '@edgeline/cf-target';
import { normalizeQuery, type NormalizeQueryOptions } from '.';

// normalizeQuery keeps a hand-written CloudFront Functions 1.0 copy (normalizeQueryCff): one pass
// over the event's query string object, where the hook rebuilds the text from it and splits it
// again; 2.0 derives the hook. These seeded random query strings, hostile ones among them, prove
// the copy equal to the hook (runPipeline, and the hook's own builds), option combinations
// included, on cloudfront-js-1.0 and 2.0, in the vm emulator and njs, built with the copy
// (direct: true) and without it (direct: false, the context-based handler).

const njsInstalled = await hasNjs();
const engines = njsInstalled ? (['emulator', 'njs'] as const) : (['emulator'] as const);
const RUNTIMES = ['cloudfront-js-1.0', 'cloudfront-js-2.0'] as const;

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

// Names as sent: upper case, escapes, names every object has, an empty one, raw non-ASCII
// (the Kelvin sign lower-cases to ASCII 'k'), the tracking names the example drops.
const NAMES = ['a', 'b', 'B', 'A', 'c', 'q', 'Q', 'page', 'utm_source', 'UTM_Source', 'utm_medium', 'fbclid', 'x%20y', 'X%2FY', '%C3%A9', 'constructor', '__proto__', 'toString', 'hasOwnProperty', '', 'é', '\u212a', 'k', 'z9', 'a.b'];
const VALUES = ['', '1', '2', 'a+b', '%zz', 'x=y', '=', '==', '%E4%B8%AD', 'ü', 'A', '%', '~!$\'()*', 'x'.repeat(40)];

/** One query string: empty pairs, `c=`, repeated names, `=` alone, `&&`, many parameters. */
function randomQuery(rnd: () => number): string {
  const pick = <T>(l: readonly T[]): T => l[Math.floor(rnd() * l.length)];
  const size = rnd();
  const n = size < 0.05 ? 0 : size < 0.85 ? 1 + Math.floor(rnd() * 14) : size < 0.95 ? 95 + Math.floor(rnd() * 12) : 1 + Math.floor(rnd() * 3000);
  // A few names over a long query string, so that it repeats names (multiValue) as well.
  const names = n > 50 && rnd() < 0.5 ? NAMES.slice(0, 4) : NAMES;
  const parts: string[] = [];
  for (let k = 0; k < n; k++) {
    const r = rnd();
    const name = pick(names);
    parts.push(r < 0.07 ? '' : r < 0.1 ? '=' : r < 0.25 ? name : r < 0.35 ? `${name}=` : `${name}=${pick(VALUES)}`);
  }
  return parts.join('&');
}

const HOSTILE = [
  '', '&', '&&&&', '=', '=&=', '==', '=x', 'a==b', 'b=1&=&a=1', 'c=&c', 'a&a&a', '%', '%zz=%zz&%E4%B8=1',
  'b=2&a=1&&a=3&c=', 'B=1&a=2&b=3', 'constructor=1&__proto__=2&toString=3', 'utm_source=ü&b=1', 'b=1&\u212a=2',
  'mlkjihgfedcba'.split('').map((n, i) => `${n}=${i}`).join('&'),
  Array.from({ length: 101 }, (_, i) => `p${100 - i}=1`).join('&'),
  Array(4000).fill('a').join('&'),
  Array.from({ length: 2000 }, (_, i) => `n${i}=v`).join('&'),
  'a'.repeat(8000),
];

function events(seed: number, n: number): CffEvent[] {
  const rnd = mulberry32(seed);
  const queries = [...HOSTILE, ...Array.from({ length: n }, () => randomQuery(rnd))];
  return queries.map((querystring) => viewerRequest({ querystring }));
}

const configs: NormalizeQueryOptions[] = [
  {},
  { sort: false },
  { lowercaseNames: true },
  { deny: ['utm_source', 'utm_medium', 'fbclid', 'constructor', 'toString'] },
  { allow: ['a', 'b', 'q', 'page', 'constructor', 'x%20y', '%C3%A9'] },
  { maxParams: 3 },
  { sort: false, lowercaseNames: true, deny: ['b', 'utm_source', 'k'] },
  { lowercaseNames: true, allow: ['a', 'b', 'q', 'k', 'utm_source'], maxParams: 5 },
  { sort: false, allow: ['a', 'B', 'c', 'q', 'toString'], maxParams: 12 },
  { deny: 'a', maxParams: 1000 },
];

/** An outcome as expectSameEverywhere compares it: without `raw` (each engine serialises the event its own way). */
function comparable(out: Outcome | { ok: false }): unknown {
  if (!('kind' in out)) return out;
  const { raw: _raw, ...rest } = out as Outcome & { raw?: unknown };
  return rest;
}

async function njsOutcomes(code: string, evts: CffEvent[], runtime: (typeof RUNTIMES)[number]): Promise<unknown[]> {
  const runs = await runInNjs(code, evts, { runtime });
  return runs.map((run) => comparable(run.ok ? toOutcome('viewer-request', run.result) : { ok: false }));
}

describe('normalizeQuery: the hand-written CloudFront copy (1.0) and the derived hook (2.0) equal the hook (seeded random query strings)', () => {
  configs.forEach((options, k) => {
    it(`${JSON.stringify(options)}`, async () => {
      const mw = normalizeQuery(options);
      // The same hook without the copy: what derivation makes of it.
      const derived = defineMiddleware({ name: 'normalizeQuery', needs: [], config: mw.config, request: mw.request! });
      const evts = events(1400 + k, 90);
      for (const runtime of RUNTIMES) {
        const builds = {
          copy: await buildCf({ pipeline: edge().use(mw) as Pipeline<never>, runtime }),
          derived: await buildCf({ pipeline: edge().use(derived) as Pipeline<never>, runtime }),
          context: await buildCf({ pipeline: edge().use(mw) as Pipeline<never>, runtime, direct: false }),
        };
        const code = Object.fromEntries(Object.entries(builds).map(([name, b]) => [name, b.ok ? b.artifacts[0].code : ''])) as Record<keyof typeof builds, string>;
        // 1.0 the copy, 2.0 the hook derived (proven unable to throw): no try/catch, no helper.
        expect(code.copy).not.toMatch(/\bcatch\b|__edge_q/);
        expect(code.copy).toContain(runtime === 'cloudfront-js-1.0' ? '.multiValue' : '.rawQueryString()');
        if (runtime === 'cloudfront-js-1.0') expect(code.derived).not.toBe(code.copy);
        else expect(code.derived).toBe(code.copy);
        expect(code.context).not.toBe(code.copy);
        // The vm emulator: each build against the hook run from source.
        await expectSameEverywhere(mw, evts, { runtimes: [runtime], engines: ['emulator'], direct: true });
        await expectSameEverywhere(mw, evts, { runtimes: [runtime], engines: ['emulator'], direct: false });
        await expectSameEverywhere(derived, evts, { runtimes: [runtime], engines: ['emulator'] });
        if (!njsInstalled) continue;
        // njs: against the source where njs keeps the names' order (it orders an object of more
        // than 10 names by hash: a query string left as sent, or not sorted on 1.0, comes back in
        // that order from any function), and the copy against the hook's builds on every event.
        const few = evts.filter((e) => Object.keys(e.request.querystring).length <= 10);
        await expectSameEverywhere(mw, few, { runtimes: [runtime], engines: ['njs'], direct: true });
        const [copy, hook, context] = await Promise.all([njsOutcomes(code.copy, evts, runtime), njsOutcomes(code.derived, evts, runtime), njsOutcomes(code.context, evts, runtime)]);
        evts.forEach((e, i) => {
          expect(copy[i], `${runtime} ${e.request.rawQueryString!()!.slice(0, 200)}`).toEqual(hook[i]);
          expect(copy[i], `${runtime} ${e.request.rawQueryString!()!.slice(0, 200)}`).toEqual(context[i]);
        });
      }
    }, 180000);
  });

  it('the mix reaches every outcome: sorted, filtered, left as sent (non-ASCII, too many), emptied', async () => {
    const mw = normalizeQuery({ deny: ['utm_source'], maxParams: 20 });
    const seen = new Set<string>();
    for (const event of events(1400, 90)) {
      const query = event.request.querystring;
      const sent = Object.keys(query).length ? 'some' : 'none';
      const out = await runPipeline(mw, event, { target: 'cloudfront-js-2.0' });
      const text = out.kind === 'forward' ? out.request.querystring : '?';
      const raw = event.request.rawQueryString!() ?? '';
      seen.add(text === raw ? `as sent (${sent})` : text === '' ? 'emptied' : 'rewritten');
    }
    expect([...seen].sort()).toEqual(['as sent (none)', 'as sent (some)', 'emptied', 'rewritten']);
  });
});

describe('normalizeQuery: the bench references (the example\'s deny list) give the hook\'s outcome', () => {
  const mw = normalizeQuery({ deny: ['utm_source', 'utm_medium', 'utm_campaign', 'fbclid', 'gclid'] });
  for (const runtime of RUNTIMES) {
    it(runtime, async () => {
      const file = runtime === 'cloudfront-js-1.0' ? 'normalizeQuery.viewer-request.js' : 'cf-js-2.0/normalizeQuery.viewer-request.js';
      const code = readFileSync(new URL(`../../../../bench/reference/${file}`, import.meta.url), 'utf8');
      const evts = events(2024, 120).filter((e) => Object.keys(e.request.querystring).length <= 300);
      const want = await Promise.all(evts.map((e) => runPipeline(mw, e, { target: runtime })));
      const runs = await Promise.all(evts.map((e) => runInEmulator(code, e, { runtime })));
      runs.forEach((run, i) => {
        expect(run.ok, evts[i].request.rawQueryString!()).toBe(true);
        if (run.ok) expect(comparable(toOutcome('viewer-request', run.result)), evts[i].request.rawQueryString!()).toEqual(comparable(want[i]));
      });
    }, 60000);
  }
});
