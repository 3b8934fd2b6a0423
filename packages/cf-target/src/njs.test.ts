import { describe, expect, it } from 'vitest';
import { viewerRequest } from '@edgeline/core/testing';
import type { CffEvent } from '@edgeline/core/runtime';
import { hasNjs, runInNjs } from './index.js';

const njs = await hasNjs();

// A function that never returns for /hang (as a regex that does not terminate would), logs what
// it is asked to for /log, and answers the uri otherwise.
const code = `function handler(event) {
  var uri = event.request.uri;
  if (uri === '/hang') { for (;;) {} }
  if (uri === '/log') {
    console.log('plain', 1, { a: [1, 'x'] }, null);
    console.log(event.request.querystring.line.value);
    console.log('__EDGELINE_END__ __EDGELINE_RESULTS__ __EDGELINE_END__');
  }
  return { statusCode: 200, headers: { 'x-uri': { value: uri } } };
}`;

const req = (uri: string, query: Record<string, string> = {}): CffEvent => viewerRequest({ uri, querystring: query });
const uriOf = (r: { ok: boolean; result?: unknown }) => (r.ok ? (r.result as { headers: Record<string, { value: string }> }).headers['x-uri'].value : undefined);

describe.skipIf(!njs)('runInNjs', () => {
  it('gives a timeout to the event that hangs, and their results to the others', async () => {
    const events = [req('/a'), req('/hang'), req('/b'), req('/hang'), req('/c')];
    const runs = await runInNjs(code, events, { timeoutMs: 1000, eventTimeoutMs: 500 });
    expect(runs).toHaveLength(5);
    expect(runs.map(uriOf)).toEqual(['/a', undefined, '/b', undefined, '/c']);
    for (const i of [1, 3]) {
      const run = runs[i];
      expect(run.ok).toBe(false);
      expect(!run.ok && run.error).toMatch(/^timeout: .*"uri":"\/hang"/);
    }
  });

  it('names the event when a batch of one hangs', async () => {
    const [run] = await runInNjs(code, [req('/hang')], { timeoutMs: 1000 });
    expect(run).toMatchObject({ ok: false, error: expect.stringMatching(/^timeout: the function did not return within 1000 ms/) });
  });

  it("returns each event's console.log lines apart from the result, whole past njs's 2 KB line cut", async () => {
    const long = 'ü€😀x'.repeat(1500);
    const runs = await runInNjs(code, [req('/a'), req('/log', { line: long }), req('/b')]);
    expect(runs[0]).toEqual({ ok: true, result: { statusCode: 200, headers: { 'x-uri': { value: '/a' } } } });
    expect(runs[1]).toMatchObject({ ok: true, result: { headers: { 'x-uri': { value: '/log' } } } });
    const logs = runs[1].logs!;
    expect(logs).toHaveLength(3);
    expect(logs[0]).toBe("plain 1 {a:[1,'x']} null");
    expect(logs[1]).toBe(long);
    expect(logs[2]).toBe('__EDGELINE_END__ __EDGELINE_RESULTS__ __EDGELINE_END__');
    expect(runs[2]).not.toHaveProperty('logs');
  });

  it('on runtime 2.0: awaits, keeps logs, and reports a promise that never settles', async () => {
    const asyncCode = `async function handler(event) {
  console.log('at', event.request.uri);
  if (event.request.uri === '/never') await new Promise(function () {});
  return event.request;
}`;
    const runs = await runInNjs(asyncCode, [req('/a'), req('/never'), req('/b')], { runtime: 'cloudfront-js-2.0' });
    expect(runs[0]).toMatchObject({ ok: true, logs: ['at /a'] });
    expect(runs[1]).toMatchObject({ ok: false, error: expect.stringMatching(/promise never settled/), logs: ['at /never'] });
    // The driver stops at a promise that never settles: the events after it run in a new process.
    expect(runs[2]).toMatchObject({ ok: true, logs: ['at /b'] });
  });
});
