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

    it(`${runtime}: setString as a hook's last act is derived (the text assigned); a later hook reading the parameters keeps the context's handler`, async () => {
      const alone = await buildCf({ pipeline: edge().use(sorts), runtime, minify: false });
      if (!alone.ok) throw new Error(JSON.stringify(alone.violations));
      expect(alone.artifacts[0].code).toContain('__r.querystring = String(');
      const reads = defineMiddleware({ name: 'reads', needs: [], request(ctx) { ctx.request.headers.set('x-a', ctx.request.querystring.get('a') ?? 'none'); } });
      const pipeline = edge().use(sorts).use(reads);
      const built = await buildCf({ pipeline, runtime, minify: false });
      if (!built.ok) throw new Error(JSON.stringify(built.violations));
      expect(built.artifacts[0].code).not.toContain('__r.querystring = String(');
      const events = ['b=2&a=1', 'c=3', ''].map((q) => viewerRequest({ querystring: q }));
      const outcome = (o: Outcome) => (o.kind === 'forward' ? [o.request.querystring, o.request.headers['x-a']] : o.kind);
      const want = await Promise.all(events.map((e) => runPipeline(pipeline, e, { target: runtime }).then(outcome)));
      expect(want).toEqual([['a=1&b=2', ['1']], ['c=3', ['none']], ['', ['none']]]);
      const asOutcome = (r: EmulatorRun) => (r.ok ? outcome(toOutcome('viewer-request', r.result)) : r.error);
      expect(await Promise.all(events.map((e) => runInEmulator(built.artifacts[0].code, e, { runtime }).then(asOutcome)))).toEqual(want);
      if (njsInstalled) expect((await runInNjs(built.artifacts[0].code, events, { runtime })).map(asOutcome)).toEqual(want);
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
      const built = await buildCf({ pipeline: edge().use(counts), runtime, minify: false });
      if (!built.ok) throw new Error(JSON.stringify(built.violations));
      const events = queries.map((q) => viewerRequest({ querystring: q }));
      const size = (o: Outcome) => (o.kind === 'forward' ? o.request.headers['x-size'][0] : o.kind);
      expect(await Promise.all(events.map((e) => runPipeline(counts, e, { target: runtime }).then(size))), runtime).toEqual(want);
      const asSize = (r: EmulatorRun) => (r.ok ? size(toOutcome('viewer-request', r.result)) : r.error);
      expect(await Promise.all(events.map((e) => runInEmulator(built.artifacts[0].code, e, { runtime }).then(asSize)))).toEqual(want);
      if (njsInstalled) expect((await runInNjs(built.artifacts[0].code, events, { runtime })).map(asSize)).toEqual(want);
      // Derived: the count is a helper of the handler's, not the context's map.
      expect(built.artifacts[0].code).toContain('__edge_qsize(__r.querystring)');
    }
  });
});
