import { describe, expect, it } from 'vitest';
import { defineMiddleware, edge, toOutcome, type Pipeline } from '@edgeline/core';
import { runPipeline, viewerRequest } from '@edgeline/core/testing';
import type { CffEvent } from '@edgeline/core/runtime';
import { buildCf, runInEmulator, runInNjs } from './index.js';

// njs puts a deleted name back where it was; V8 (the unit test, Lambda@Edge) puts it last.
// The artifact must give V8's order, in what it forwards and in what hooks read. njs 0.7.9
// enumerates an object of more than 10 properties in hash order, whatever the insertion order:
// there the order is the engine's, and only the pairs are compared.
const KEPT = 10;
const sortQuery = defineMiddleware({
  name: 'sortQuery',
  needs: [],
  request(ctx) {
    const q = ctx.request.querystring;
    const names = q.names().sort();
    const values = names.map((n) => q.getAll(n));
    for (const n of names) q.delete(n);
    for (let i = 0; i < names.length; i++) for (const v of values[i]) q.append(names[i], v);
    ctx.request.headers.set('x-names', q.names().join(','));
  },
});
const dropThenAdd = defineMiddleware({
  name: 'dropThenAdd',
  needs: [],
  request(ctx) {
    ctx.request.querystring.delete('a');
    ctx.request.querystring.set('z', '1');
    ctx.request.querystring.set('a', 'again');
    ctx.request.headers.set('x-q', ctx.request.querystring.toString());
  },
});
const addBack = defineMiddleware({
  name: 'addBack',
  needs: [],
  request(ctx) {
    if (ctx.request.querystring.has('b')) return;
    ctx.request.querystring.append('b', 'back');
  },
});

function pairs(o: ReturnType<typeof toOutcome>): string[] {
  return o.kind === 'forward' ? o.request.querystring.split('&').sort() : [];
}

// Each derivable alone: the artifact must see that the second adds back what the first deleted.
const dropA = defineMiddleware({ name: 'dropA', needs: [], request(ctx) { ctx.request.querystring.delete('a'); } });
const addA = defineMiddleware({ name: 'addA', needs: [], request(ctx) { ctx.request.querystring.set('a', 'new'); } });
const addB = defineMiddleware({ name: 'addB', needs: [], request(ctx) { ctx.request.querystring.set('b', 'new'); } });

const events: CffEvent[] = [
  viewerRequest({ querystring: 'c=3&b=2&a=1' }),
  viewerRequest({ querystring: 'zz=1&b=2&b=1&a=x%20y&m' }),
  viewerRequest({ querystring: Array.from({ length: 10 }, (_, i) => `k${(i * 7) % 10}=${i}`).join('&') }),
  viewerRequest({ querystring: Array.from({ length: 300 }, (_, i) => `k${(i * 7919) % 300}=${i}`).join('&') }),
  // (A `__proto__` parameter cannot be given to njs: the runner's event literal makes it the prototype.)
  viewerRequest({ querystring: 'a=1&b=2&c=3&constructor=4&toString=5' }),
  viewerRequest({ querystring: '' }),
];

for (const runtime of ['cloudfront-js-1.0', 'cloudfront-js-2.0'] as const) {
  describe(`query-string order (${runtime})`, () => {
    for (const [label, p] of [
      ['sort', edge().use(sortQuery)],
      ['delete, add, add back', edge().use(dropThenAdd)],
      ['deleted in one hook, added back in the next', edge().use(dropThenAdd).use(addBack).use(sortQuery)],
      ['a literal name deleted by one derived hook, set by the next', edge().use(dropA).use(addA)],
      ['a literal name deleted, another set', edge().use(dropA).use(addB)],
    ] as const) {
      it(`${label}: njs, the emulator and the source agree`, async () => {
        const result = await buildCf({ pipeline: p as Pipeline<never>, runtime });
        if (!result.ok) throw new Error(JSON.stringify(result.violations));
        const code = result.artifacts[0].code;
        const runs = await runInNjs(code, events.map((e) => structuredClone(e)), { runtime });
        for (let i = 0; i < events.length; i++) {
          const source = await runPipeline(p, structuredClone(events[i]), { target: runtime });
          const vm = await runInEmulator(code, structuredClone(events[i]), { runtime });
          const njs = runs[i];
          if (!vm.ok || !njs.ok) throw new Error(JSON.stringify({ vm, njs }));
          if (Object.keys(events[i].request.querystring).length > KEPT || new Set(pairs(source).map((x) => x.split('=')[0])).size > KEPT) {
            expect(pairs(toOutcome('viewer-request', njs.result)), `njs ${i}`).toEqual(pairs(source));
            continue;
          }
          expect(toOutcome('viewer-request', njs.result), `njs ${i}`).toEqual({ ...source, raw: njs.result });
          expect(toOutcome('viewer-request', vm.result), `vm ${i}`).toEqual({ ...source, raw: vm.result });
        }
      });
    }
  });
}

describe('query-string order, what stays derived', () => {
  it('a delete and an add of other names keep the direct lowering; adding back the deleted name does not', async () => {
    const lean = await buildCf({ pipeline: edge().use(dropA).use(addB) as Pipeline<never>, minify: false });
    const back = await buildCf({ pipeline: edge().use(dropA).use(addA) as Pipeline<never>, minify: false });
    if (!lean.ok || !back.ok) throw new Error('expected builds');
    expect(lean.artifacts[0].code).not.toMatch(/valueMap|ordered/);
    expect(back.artifacts[0].code).toMatch(/ordered/);
  });
});
