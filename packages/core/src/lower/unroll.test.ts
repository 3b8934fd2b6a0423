import { describe, expect, it } from 'vitest';
import { unrollOptionLoops } from './unroll.js';

const run = (source: string, config: Record<string, unknown>, ctx: unknown) => new Function(`return ${source}`)()(ctx, config);

describe('unrollOptionLoops', () => {
  it('writes a loop over an option list out, one block per step, items and index as literals', () => {
    const source = 'function (ctx, config) { const h = ctx.h; const list = config.headers; for (let i = 0; i < list.length; i += 2) { if (config.override || !h[list[i]]) h[list[i]] = list[i + 1] + i; } }';
    const config = { headers: ['a', '1', 'b', '2'], override: false };
    const out = unrollOptionLoops(source, config);
    expect(out).not.toMatch(/\bfor\b|\blist\b/);
    expect(out).toContain('h[("a")] = ("1") + 0');
    expect(out).toContain('h[("b")] = ("2") + 2');
    const h = { b: 'kept' };
    run(out, config, { h });
    expect(h).toEqual({ a: '10', b: 'kept' });
  });

  it('reads config.list directly, i++ steps, and a body that is one statement', () => {
    const out = unrollOptionLoops('function (ctx, config) { for (var i = 1; i < config.names.length; i++) ctx.seen.push(config.names[i]); }', { names: ['x', 'y', 'z'] });
    expect(out).not.toMatch(/\bfor\b/);
    const seen: string[] = [];
    run(out, { names: ['x', 'y', 'z'] }, { seen });
    expect(seen).toEqual(['y', 'z']);
  });

  it('keeps an alias another statement still reads', () => {
    const out = unrollOptionLoops('function (ctx, config) { const list = config.l; for (let i = 0; i < list.length; i++) ctx.a.push(list[i]); ctx.n = list.length; }', { l: ['p'] });
    expect(out).toContain('const list = config.l');
    expect(out).not.toMatch(/\bfor\b/);
  });

  it('leaves loops it cannot write out as they are', () => {
    const config = { l: ['a', 'b'], objects: [{ a: 1 }], long: Array.from({ length: 33 }, (_, i) => String(i)) };
    const kept = [
      'function (ctx, config) { for (let i = 0; i < config.l.length; i++) { if (ctx.x) break; ctx.a.push(config.l[i]); } }',
      'function (ctx, config) { for (let i = 0; i < config.l.length; i++) { ctx.a.push(function () { return i; }); } }',
      'function (ctx, config) { for (let i = 0; i < config.l.length; i++) { i++; } }',
      'function (ctx, config) { for (let i = 0; i < config.objects.length; i++) ctx.a.push(config.objects[i]); }',
      'function (ctx, config) { for (let i = 0; i < config.long.length; i++) ctx.a.push(config.long[i]); }',
      'function (ctx, config) { for (let i = 0; i < ctx.list.length; i++) ctx.a.push(ctx.list[i]); }',
      'function (ctx, config) { for (let i = 0; i <= config.l.length; i++) ctx.a.push(config.l[i]); }',
      'not code (',
    ];
    for (const source of kept) expect(unrollOptionLoops(source, config), source).toBe(source);
  });
});
