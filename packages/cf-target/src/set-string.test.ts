import { describe, expect, it } from 'vitest';
import { defineMiddleware, edge, toOutcome, type Outcome } from '@edgeline/core';
import { runPipeline, viewerRequest } from '@edgeline/core/testing';
import { buildCf, hasNjs, runInEmulator, runInNjs, type EmulatorRun } from './index.js';

// ParamMap.setString: the query string set as text reaches CloudFront as text, in the order
// written (njs orders an object of more than 10 names by hash), on both runtimes.
const njsInstalled = await hasNjs();
const names = 'mlkjihgfedcba'.split('');

const sorts = defineMiddleware({
  name: 'sorts',
  needs: [],
  request(ctx) {
    const parts = ctx.request.querystring.toString().split('&').filter((p) => p !== '');
    ctx.request.querystring.setString(parts.sort().join('&'));
  },
});
const sortsThenSets = defineMiddleware({
  name: 'sortsThenSets',
  needs: [],
  request(ctx) {
    ctx.request.querystring.setString('b=2&a=1&b=1');
    ctx.request.headers.set('x-a', ctx.request.querystring.get('a') ?? '');
    ctx.request.headers.set('x-text', ctx.request.querystring.toString());
    if (ctx.request.uri === '/change') ctx.request.querystring.set('c', '3');
  },
});

const query = (o: Outcome) => (o.kind === 'forward' ? o.request.querystring : o.kind);
const runQuery = (r: EmulatorRun) => (r.ok ? (r.result as { querystring: unknown }).querystring : r.error);

describe('ParamMap.setString on CloudFront Functions', () => {
  for (const runtime of ['cloudfront-js-1.0', 'cloudfront-js-2.0'] as const) {
    it(`${runtime}: the text is handed back as written, 13 names sorted, and reads see it`, async () => {
      const built = await buildCf({ pipeline: edge().use(sorts), runtime });
      if (!built.ok) throw new Error(JSON.stringify(built.violations));
      const code = built.artifacts[0].code;
      const event = viewerRequest({ querystring: names.map((n, i) => `${n}=${i}`).join('&') });
      const want = [...names].sort().map((n) => `${n}=${names.indexOf(n)}`).join('&');
      expect(query(await runPipeline(sorts, event, { target: runtime }))).toBe(want);
      expect(runQuery(await runInEmulator(code, event, { runtime }))).toBe(want);
      if (njsInstalled) expect((await runInNjs(code, [event], { runtime })).map(runQuery)).toEqual([want]);
    });

    it(`${runtime}: reads after setString, and a change after it rebuilds from the parameters`, async () => {
      const built = await buildCf({ pipeline: edge().use(sortsThenSets), runtime });
      if (!built.ok) throw new Error(JSON.stringify(built.violations));
      const code = built.artifacts[0].code;
      const events = [viewerRequest({ uri: '/', querystring: 'z=9' }), viewerRequest({ uri: '/change', querystring: 'z=9' })];
      const sources = await Promise.all(events.map((e) => runPipeline(sortsThenSets, e, { target: runtime })));
      expect(sources.map(query)).toEqual(['b=2&a=1&b=1', 'b=2&b=1&a=1&c=3']);
      expect(sources.map((o) => o.kind === 'forward' && [o.request.headers['x-a'], o.request.headers['x-text']])).toEqual([[['1'], ['b=2&a=1&b=1']], [['1'], ['b=2&a=1&b=1']]]);
      const asOutcome = (r: EmulatorRun) => (r.ok ? query(toOutcome('viewer-request', r.result)) : r.error);
      const vm = await Promise.all(events.map((e) => runInEmulator(code, e, { runtime })));
      expect(vm.map(asOutcome)).toEqual(sources.map(query));
      // As text while nothing changed after setString; as the object after a change.
      expect(vm.map(runQuery)[0]).toBe('b=2&a=1&b=1');
      expect(typeof runQuery(vm[1])).toBe('object');
      if (njsInstalled) expect((await runInNjs(code, events, { runtime })).map(asOutcome)).toEqual(sources.map(query));
    });
  }
});

describe('ParamMap.size', () => {
  const counts = defineMiddleware({
    name: 'counts',
    needs: [],
    request(ctx) {
      ctx.request.headers.set('x-size', String(ctx.request.querystring.size()));
    },
  });
  it('counts every value of a repeated name, the same in the source, the vm emulator and njs, on both runtimes', async () => {
    const queries = ['', 'a=1', 'a=1&a=2&b', 'a&a&a&b=&c=3', 'constructor=1&__proto__=2'];
    const want = ['0', '1', '3', '5', '2'];
    for (const runtime of ['cloudfront-js-1.0', 'cloudfront-js-2.0'] as const) {
      const built = await buildCf({ pipeline: edge().use(counts), runtime });
      if (!built.ok) throw new Error(JSON.stringify(built.violations));
      const events = queries.map((q) => viewerRequest({ querystring: q }));
      const size = (o: Outcome) => (o.kind === 'forward' ? o.request.headers['x-size'][0] : o.kind);
      expect(await Promise.all(events.map((e) => runPipeline(counts, e, { target: runtime }).then(size))), runtime).toEqual(want);
      const asSize = (r: EmulatorRun) => (r.ok ? size(toOutcome('viewer-request', r.result)) : r.error);
      expect(await Promise.all(events.map((e) => runInEmulator(built.artifacts[0].code, e, { runtime }).then(asSize)))).toEqual(want);
      if (njsInstalled) expect((await runInNjs(built.artifacts[0].code, events, { runtime })).map(asSize)).toEqual(want);
    }
  });
});
