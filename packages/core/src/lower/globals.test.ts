import { describe, expect, it } from 'vitest';
import { findGlobals } from './globals.js';

const names = (src: string) => findGlobals(src).map((g) => g.name);

describe('findGlobals (acorn-globals, ported)', () => {
  it('names what a script reads without declaring it, sorted, once each', () => {
    expect(names('var a = b; function f(c) { return c + d + a + arguments.length; } f(e, e);')).toEqual(['b', 'd', 'e']);
    expect(names('try { x(); } catch (err) { err.y; } let { p, q: [r] } = z; class K {} new K(p, r);')).toEqual(['x', 'z']);
    expect(names('{ let inner = 1; } inner; const arrow = (n) => n + outer; this.t;')).toEqual(['inner', 'outer', 'this']);
    expect(names("import cf from 'cloudfront'; cf.kvs(); undefined;")).toEqual([]);
  });

  it('gives each node its ancestors (`typeof x` is told apart by its parent)', () => {
    const [g] = findGlobals('typeof Symbol === "function"');
    expect(g.name).toBe('Symbol');
    const parents = g.nodes[0].parents!;
    expect(parents[parents.length - 2].type).toBe('UnaryExpression');
  });
});
