import { describe, expect, it } from 'vitest';
import Module, { createRequire } from 'node:module';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeCachePath, requireWithCodeCache } from './code-cache.js';
import { lowerToEs5 } from './steps.js';

const nodeCaches = typeof (Module as { enableCompileCache?: unknown }).enableCompileCache === 'function';

/** A project with node_modules/big/index.js, a CommonJS module with a function to call. */
function project(): { dir: string; from: NodeJS.Require; cacheDir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'edge-code-cache-'));
  mkdirSync(join(dir, 'node_modules', 'big'), { recursive: true });
  const body = Array.from({ length: 200 }, (_, i) => `function f${i}(x) { return x + ${i}; }`).join('\n');
  writeFileSync(join(dir, 'node_modules', 'big', 'index.js'), `${body}\nexports.add = function (a, b) { return f1(a) + b - 1; };\nexports.dir = __dirname;\n`);
  writeFileSync(join(dir, 'package.json'), '{}');
  return { dir, from: createRequire(join(dir, 'package.json')), cacheDir: join(dir, 'node_modules', '.cache', 'edgeline') };
}

describe('requireWithCodeCache', () => {
  it(nodeCaches ? 'leaves caching to Node (module.enableCompileCache)' : 'writes V8 code cache after first use, reuses it, and survives a corrupt one', () => {
    const { dir, from, cacheDir } = project();
    try {
      const first = requireWithCodeCache(from, 'big');
      const big = first.exports as { add(a: number, b: number): number; dir: string };
      expect(big.add(2, 3)).toBe(5);
      expect(big.dir).toBe(join(dir, 'node_modules', 'big'));
      first.save();
      if (nodeCaches) {
        expect(() => readdirSync(cacheDir)).toThrow();
        return;
      }
      const [file] = readdirSync(cacheDir);
      expect(file).toMatch(/^big_index\.js-[0-9a-f]{16}\.v8$/);
      const written = statSync(join(cacheDir, file)).mtimeMs;
      // Accepted: nothing to write again.
      const second = requireWithCodeCache(from, 'big');
      expect((second.exports as typeof big).add(1, 1)).toBe(2);
      second.save();
      expect(statSync(join(cacheDir, file)).mtimeMs).toBe(written);
      // A corrupt cache is refused by V8: the module still loads and the cache is rewritten. (A
      // module not compiled before in this process: V8 would take a second compile from memory.)
      const other = join(dir, 'node_modules', 'big', 'other.js');
      writeFileSync(other, 'exports.twice = function (x) { return 2 * x; };\n');
      writeFileSync(codeCachePath(other)!, 'not a cache');
      const third = requireWithCodeCache(from, 'big/other.js');
      expect((third.exports as { twice(x: number): number }).twice(4)).toBe(8);
      third.save();
      expect(readFileSync(codeCachePath(other)!).length).toBeGreaterThan(100);
      expect(readdirSync(cacheDir).sort()).toEqual([file, codeCachePath(other)!.slice(cacheDir.length + 1)].sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a module that is not installed throws as require does (the caller tries the next place)', () => {
    const { dir, from } = project();
    try {
      expect(() => requireWithCodeCache(from, 'not-installed')).toThrow(/Cannot find module/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('lowerToEs5', () => {
  it('returns ES5 code as it is, and lowers the rest with TypeScript', () => {
    const es5 = 'function handler(event) { var r = event.request; /* kept */ return r; }';
    expect(lowerToEs5(es5)).toBe(es5);
    const lowered = lowerToEs5('function handler(event) { const f = (x) => `${x}`; return f(event); }');
    expect(lowered).not.toMatch(/const |=>|`/);
    expect(lowered).toMatch(/var f = function \(x\)/);
  });
});
