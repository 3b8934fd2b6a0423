import { describe, expect, it } from 'vitest';
import { foldConstantBranches } from './fold.js';

const run = (src: string, ...args: unknown[]) => new Function(`return ${src}`)()(...args);

describe('foldConstantBranches', () => {
  it('keeps the branch literals decide, and drops what follows a return', () => {
    const src = 'function (r) { if (true) return 1; var k; const x = r.a; return x; }';
    expect(foldConstantBranches(src)).toBe('function (r) { return 1; var k; const x = r.a; return x; }');
    expect(foldConstantBranches('function (r) { if (null !== null) { r.a = 1; } else { r.b = 2; } return r; }')).toBe('function (r) { { r.b = 2; } return r; }');
    expect(foldConstantBranches('function (r) { return (false) ? r.a : r.b; }')).toBe('function (r) { return (r.b); }');
    expect(foldConstantBranches('function (r) { if ("bearer" === "bearer") { return 1; } else { return 2; } }')).toBe('function (r) { { return 1; } }');
    expect(foldConstantBranches('function (r) { if (!(void 0)) return 1; r.x(); }').replace(/\s+/g, ' ')).toBe('function (r) { return 1; }');
  });

  it('keeps values: `0 && x` is 0, `"" || x` is x; `var` after a return stays (it hoists)', () => {
    expect(run(foldConstantBranches('function (x) { return 0 && x; }'), 5)).toBe(0);
    expect(run(foldConstantBranches('function (x) { return "" || x; }'), 5)).toBe(5);
    expect(foldConstantBranches('function () { return 1; var v = 2; }')).toBe('function () { return 1; var v = 2; }');
  });

  it('leaves what is not decided at build, and what does not parse', () => {
    for (const src of ['function (r) { if (r.a) return 1; return 2; }', 'function (r) { return r.a ? 1 : 2; }', 'function (', 'function (r) { if (/x/) return 1; }']) {
      expect(foldConstantBranches(src)).toBe(src);
    }
  });
});
