import { describe, expect, it } from 'vitest';
import { defineMiddleware, edge, type Outcome } from '@edgeline/core';
import { runPipeline, viewerRequest } from '@edgeline/core/testing';
import { safeDecode } from '@edgeline/core/runtime';
import { buildCf, hasNjs, runInEmulator, runInNjs, type EmulatorRun } from './index.js';

// A query value is form-encoded ('+' is a space) and a bad escape leaves it as sent. In njs the
// decoding uses querystring.unescape once decodeURIComponent has found every escape valid (issue
// 12: split('+') costs ~400 instructions a '+'); these values prove it the same as Node's.
const njsInstalled = await hasNjs();
const VALUES = [
  'a+b', '+', '+++', 'a%20b+c', '%2B+%2b', '%zz+%41', '%E4%B8%AD+x', '%E4%B8+', '%ED%A0%80+', '%', '%2', 'a=b+c',
  '%C3%A9+%F0%9F%98%80', '%00+', '%25+%2525', 'plain', '', '中+文', '+%', '%+', '%C0%AF+', '%F4%90%80%80+', '%7e+%7E',
];

/** Answers with the decoded `v` (derived: a literal read). */
const reads = defineMiddleware({
  name: 'readV',
  needs: [],
  request(ctx) {
    return ctx.respond({ status: 200, body: JSON.stringify(ctx.request.querystring.get('v')) });
  },
});
/** The same through the context-based handler (the map is passed on to a function). */
const readsContext = defineMiddleware({
  name: 'readVContext',
  needs: [],
  request(ctx) {
    const get = (q: { get(n: string): string | undefined }) => q.get('v');
    return ctx.respond({ status: 200, body: JSON.stringify(get(ctx.request.querystring)) });
  },
});

const body = (o: Outcome) => (o.kind === 'respond' ? o.response.body : undefined);
const runBody = (r: EmulatorRun) => (r.ok ? (r.result as { body: { data: string } }).body.data : r.error);

describe('query values decoded the same in Node, the emulator and njs', () => {
  it('safeDecode: + is a space, escapes decoded, a bad escape leaves the value as sent', () => {
    expect(safeDecode('a+b%20c')).toBe('a b c');
    expect(safeDecode('%2B+')).toBe('+ ');
    expect(safeDecode('%zz+%41')).toBe('%zz+%41');
    expect(safeDecode('%E4%B8+')).toBe('%E4%B8+');
    expect(safeDecode('plain')).toBe('plain');
  });

  for (const [name, mw] of [['derived', reads], ['context-based', readsContext]] as const) {
    it(`${name} handler on both runtimes`, async () => {
      const events = VALUES.map((v) => viewerRequest({ querystring: { v } }));
      const want = VALUES.map((v) => JSON.stringify(safeDecode(v)));
      for (const runtime of ['cloudfront-js-1.0', 'cloudfront-js-2.0'] as const) {
        const built = await buildCf({ pipeline: edge().use(mw), runtime });
        if (!built.ok) throw new Error(JSON.stringify(built.violations));
        const code = built.artifacts[0].code;
        for (let i = 0; i < events.length; i++) {
          expect(body(await runPipeline(mw, events[i], { target: runtime })), `source ${VALUES[i]}`).toBe(want[i]);
          expect(runBody(await runInEmulator(code, events[i], { runtime })), `vm ${VALUES[i]}`).toBe(want[i]);
        }
        if (njsInstalled) expect((await runInNjs(code, events, { runtime })).map(runBody), `njs ${runtime}`).toEqual(want);
      }
    });
  }
});
