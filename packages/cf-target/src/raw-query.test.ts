import { describe, expect, it } from 'vitest';
import { defineMiddleware, edge, type Outcome } from '@edgeline/core';
import { rawQueryOf, runPipeline, viewerRequest, viewerResponse, withRawQuery } from '@edgeline/core/testing';
import type { CffEvent } from '@edgeline/core/runtime';
import { buildCf, hasNjs, runInEmulator, runInNjs, type EmulatorRun } from './index.js';

// Issue 12 item 6: where the runtime has the query string as sent (cloudfront-js-2.0's
// request.rawQueryString(), as Lambda@Edge's querystring), ctx.request.querystring.toString() of
// a map no hook changed gives it; 1.0 has only the object, rebuilt in its order.
const njsInstalled = await hasNjs();
const RAW = 'b=2&a=&b=1&&c';
const REBUILT = 'b=2&b=1&a&c';

/** Answers with the query string as text (a derived hook: no context per request). */
const reads = defineMiddleware({
  name: 'echo',
  needs: [],
  request(ctx) {
    return ctx.respond({ status: 200, body: ctx.request.querystring.toString() });
  },
});
/** The same after changing the query string. */
const changes = defineMiddleware({
  name: 'echoChanged',
  needs: [],
  request(ctx) {
    ctx.request.querystring.set('z', '1');
    return ctx.respond({ status: 200, body: ctx.request.querystring.toString() });
  },
});
const echo = (change: boolean) => (change ? changes : reads);

/** Passes a map on to a function, so the hook keeps the context-based handler. */
const echoContext = defineMiddleware({
  name: 'echoContext',
  needs: [],
  request(ctx) {
    const text = (q: { toString(): string }) => q.toString();
    return ctx.respond({ status: 200, body: text(ctx.request.querystring) });
  },
});

const body = (o: Outcome) => (o.kind === 'respond' ? o.response.body : undefined);
const runBody = (r: EmulatorRun) => (r.ok ? (r.result as { body: { data: string } }).body.data : r.error);

describe('the query string as sent on cloudfront-js-2.0', () => {
  it('fixtures: viewerRequest has a non-enumerable rawQueryString() giving the init as written; JSON and clones drop it', () => {
    const e = viewerRequest({ querystring: `?${RAW}` });
    expect(e.request.rawQueryString!()).toBe(RAW);
    expect(Object.keys(e.request)).not.toContain('rawQueryString');
    expect(JSON.stringify(e)).not.toContain('rawQueryString');
    expect(viewerRequest().request.rawQueryString!()).toBeUndefined();
    expect(viewerRequest({ querystring: { a: ['1', ''], b: 'x' } }).request.rawQueryString!()).toBe('a=1&a=&b=x');
    expect('rawQueryString' in viewerResponse().request).toBe(false);
    expect(rawQueryOf(structuredClone(e).request)).toBe(REBUILT);
    expect(rawQueryOf(withRawQuery(structuredClone(e).request, 'x'))!.valueOf()).toBe('x');
    expect(rawQueryOf(viewerRequest({ querystring: {} }).request)).toBe('');
    expect(rawQueryOf(JSON.parse(JSON.stringify(viewerRequest())).request)).toBeUndefined();
  });

  it('runPipeline: raw on 2.0 until a hook changes the map, rebuilt on 1.0; the input keeps its method', async () => {
    const event = viewerRequest({ querystring: RAW });
    expect(body(await runPipeline(echo(false), event, { target: 'cloudfront-js-2.0' }))).toBe(RAW);
    expect(body(await runPipeline(echo(false), event, { target: 'cloudfront-js-1.0' }))).toBe(REBUILT);
    expect(body(await runPipeline(echo(true), event, { target: 'cloudfront-js-2.0' }))).toBe(`${REBUILT}&z=1`);
    expect(event.request.rawQueryString!()).toBe(RAW);
  });

  for (const [name, mw] of [['derived', echo(false)], ['context-based', echoContext]] as const) {
    it(`${name} handler: the artifact, in the vm emulator${njsInstalled ? ' and njs' : ''}, gives what runPipeline gives`, async () => {
      for (const runtime of ['cloudfront-js-1.0', 'cloudfront-js-2.0'] as const) {
        const built = await buildCf({ pipeline: edge().use(mw), runtime });
        if (!built.ok) throw new Error(JSON.stringify(built.violations));
        const code = built.artifacts[0].code;
        // 1.0 has no rawQueryString(): its artifacts do not mention it.
        expect(code.includes('rawQueryString'), runtime).toBe(runtime === 'cloudfront-js-2.0');
        const events = [viewerRequest({ querystring: RAW }), viewerRequest(), viewerRequest({ querystring: '' }), JSON.parse(JSON.stringify(viewerRequest({ querystring: RAW }))) as CffEvent];
        const want = runtime === 'cloudfront-js-2.0' ? [RAW, '', '', REBUILT] : [REBUILT, '', '', REBUILT];
        for (let i = 0; i < events.length; i++) {
          expect(body(await runPipeline(mw, events[i], { target: runtime })), `source ${runtime} ${i}`).toBe(want[i]);
          expect(runBody(await runInEmulator(code, events[i], { runtime })), `vm ${runtime} ${i}`).toBe(want[i]);
        }
        if (njsInstalled) expect((await runInNjs(code, events, { runtime })).map(runBody), `njs ${runtime}`).toEqual(want);
      }
    });
  }

  it('a derived read takes the raw text only where no hook of the function may change the query string', async () => {
    const changed = await buildCf({ pipeline: edge().use(echo(true)), runtime: 'cloudfront-js-2.0', minify: false });
    const read = await buildCf({ pipeline: edge().use(echo(false)), runtime: 'cloudfront-js-2.0', minify: false });
    const other = defineMiddleware({ name: 'other', needs: [], request(ctx) { ctx.request.querystring.delete('b'); } });
    const afterChange = await buildCf({ pipeline: edge().use(other).use(echo(false)), runtime: 'cloudfront-js-2.0', minify: false });
    if (!changed.ok || !read.ok || !afterChange.ok) throw new Error('build failed');
    expect(read.artifacts[0].code).toMatch(/__r\.rawQueryString\(\) \|\| ""/);
    expect(read.artifacts[0].code).not.toMatch(/__edge_qs/);
    expect(changed.artifacts[0].code).not.toMatch(/rawQueryString/);
    expect(afterChange.artifacts[0].code).not.toMatch(/rawQueryString/);
    const event = viewerRequest({ querystring: RAW });
    expect(runBody(await runInEmulator(afterChange.artifacts[0].code, event, { runtime: 'cloudfront-js-2.0' }))).toBe('a&c');
    expect(body(await runPipeline(edge().use(other).use(echo(false)), event, { target: 'cloudfront-js-2.0' }))).toBe('a&c');
    expect(runBody(await runInEmulator(changed.artifacts[0].code, event, { runtime: 'cloudfront-js-2.0' }))).toBe(`${REBUILT}&z=1`);
  });
});

describe('a hook that reads the query string, then sets it as its last act (cloudfront-js-2.0)', () => {
  const appends = defineMiddleware({
    name: 'appends',
    needs: [],
    request(ctx) {
      // Read for the record, then written once: the words of this comment (for, while, do) are no loop.
      const text = ctx.request.querystring.toString();
      ctx.request.querystring.setString(text ? text + '&z=1' : 'z=1');
    },
  });
  it('reads the text as sent, as the context does before any change', async () => {
    const built = await buildCf({ pipeline: edge().use(appends), runtime: 'cloudfront-js-2.0', minify: false });
    if (!built.ok) throw new Error(JSON.stringify(built.violations));
    expect(built.artifacts[0].code).toMatch(/rawQueryString\(\)/);
    const event = viewerRequest({ querystring: RAW });
    const want = `${RAW}&z=1`;
    const outcome = await runPipeline(appends, event, { target: 'cloudfront-js-2.0' });
    expect(outcome.kind === 'forward' && outcome.request.querystring).toBe(want);
    const run = await runInEmulator(built.artifacts[0].code, event, { runtime: 'cloudfront-js-2.0' });
    expect(run.ok && (run.result as { querystring: unknown }).querystring).toBe(want);
    if (njsInstalled) {
      const [n] = await runInNjs(built.artifacts[0].code, [event], { runtime: 'cloudfront-js-2.0' });
      expect(n.ok && (n.result as { querystring: unknown }).querystring).toBe(want);
    }
  });
});
