import { build } from 'esbuild';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { isPipeline, type Capability, type Pipeline } from '@edgeline/core';
import { EntryError } from './errors.js';

/**
 * Loads a TypeScript or JavaScript entry whose default export is an `edge()` pipeline.
 * The entry is bundled (packages stay external, so `@edgeline/*` resolve as installed) to a
 * temporary CommonJS module beside it, then required: CommonJS keeps a hook's
 * `require('crypto')` as written (an ESM bundle would rename it `__require`), and hooks are
 * lowered from their source text.
 */
export async function loadEntry(entry: string): Promise<Pipeline<Capability>> {
  const path = resolve(entry);
  if (!existsSync(path)) throw new EntryError(`entry ${entry} does not exist`);
  const dir = join(dirname(path), '.edge');
  const out = join(dir, `entry-${process.pid}-${Date.now()}.cjs`);
  let mod: { default?: unknown };
  try {
    const result = await build({
      entryPoints: [path],
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      write: false,
      logLevel: 'silent',
    });
    await mkdir(dir, { recursive: true });
    await writeFile(out, result.outputFiles[0].text);
    mod = createRequire(path)(out) as { default?: unknown };
  } catch (e) {
    throw new EntryError(`cannot load ${entry}: ${(e as Error).message}`);
  } finally {
    await rm(out, { force: true });
  }
  if (!isPipeline(mod.default)) {
    throw new EntryError(`${entry} must export an edge() pipeline as its default export (export default edge().use(...))`);
  }
  return mod.default;
}
