import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { Script } from 'node:vm';

/**
 * Requires a large CommonJS file (TypeScript's 9 MB compiler) through V8's code cache, kept in
 * `node_modules/.cache/edgeline/` beside the package: compiling it is most of what loading it
 * costs (~0.3 s of CPU cold, ~0.1 s from the cache). Node 22's `module.enableCompileCache()` does
 * the same for every module; this is for the Node versions without it. Any problem with the cache
 * (read-only folder, a cache from another V8) falls back to compiling, and the cache is rewritten.
 * `save()` writes the cache when it was missing or refused; called after the module's first use,
 * it also holds the functions that use compiled (V8 compiles a function on its first call).
 */
export function requireWithCodeCache(from: NodeJS.Require, id: string): { exports: unknown; save(): void } {
  const plain = () => ({ exports: from(id), save() {} });
  const file = from.resolve(id);
  if (typeof (Module as { enableCompileCache?: unknown }).enableCompileCache === 'function') return plain();
  let source: string;
  let cacheFile: string | undefined;
  try {
    source = readFileSync(file, 'utf8');
    cacheFile = codeCachePath(file);
  } catch {
    return plain();
  }
  let cached: Buffer | undefined;
  try {
    if (cacheFile) cached = readFileSync(cacheFile);
  } catch {
    // no cache yet
  }
  const script = new Script(Module.wrap(source), { filename: file, cachedData: cached });
  const module = { exports: {} as unknown, filename: file };
  const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;
  run.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  let stale = Boolean(cacheFile && (!cached || script.cachedDataRejected));
  return {
    exports: module.exports,
    save() {
      if (stale && cacheFile) writeCache(cacheFile, script.createCachedData());
      stale = false;
    },
  };
}

/** `<project>/node_modules/.cache/edgeline/<name>-<key>.v8`, the key naming the file's version and this V8. */
export function codeCachePath(file: string): string | undefined {
  const at = file.lastIndexOf(`${sep}node_modules${sep}`);
  if (at < 0) return undefined;
  const stat = statSync(file);
  const key = createHash('sha256').update(`${file}|${stat.size}|${stat.mtimeMs}|${process.version}|${process.arch}`).digest('hex').slice(0, 16);
  const name = file.slice(at + 14).split(sep).join('_').replace(/[^\w.-]/g, '_');
  return join(file.slice(0, at), 'node_modules', '.cache', 'edgeline', `${name}-${key}.v8`);
}

function writeCache(cacheFile: string, data: Buffer): void {
  try {
    mkdirSync(dirname(cacheFile), { recursive: true });
    // Written aside and renamed, so a build running at the same time never reads half a cache.
    const partial = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(partial, data);
    renameSync(partial, cacheFile);
  } catch {
    // a read-only install: every build compiles
  }
}
