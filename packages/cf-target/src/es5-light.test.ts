import { describe, expect, it } from 'vitest';
import { parse } from 'acorn';
import { lightEs5 } from './es5-light.js';

const run = (code: string, ...args: unknown[]) => new Function(`${code}\nreturn handler;`)()(...args);

describe('lightEs5', () => {
  it('lowers const, let, arrows, templates and object shorthand to ES5 without TypeScript', async () => {
    const code = 'function handler(r) { const k = `x-${r.n}`; let v = [1, 2].map((x) => x * 2); const o = { k, v, f() { return v.length; } }; return o.k + o.f(); }';
    const out = (await lightEs5(code))!;
    expect(() => parse(out, { ecmaVersion: 5 })).not.toThrow();
    expect(run(out, { n: 3 })).toBe(run(code, { n: 3 }));
  });

  it('leaves to TypeScript what var would change or esbuild cannot lower: a closure in a loop, a name declared twice, destructuring, classes', async () => {
    for (const code of [
      'function handler() { var fs = []; for (let i = 0; i < 2; i++) fs.push(function () { return i; }); return fs[0](); }',
      'function handler(x) { if (x) { const y = 1; return y; } else { const y = 2; return y; } }',
      'function handler(r) { const { a } = r; return a; }',
      'function handler() { class A {} return new A(); }',
    ]) expect(await lightEs5(code), code).toBeUndefined();
  });
});
