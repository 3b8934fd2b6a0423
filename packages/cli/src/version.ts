import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This file's folder, from the ES module build or the CommonJS one. */
export function here(): string {
  return typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
}

/** The package.json of @edgeline/cli: found upward from this file (dist/ or src/). */
export function cliPackage(): { name: string; version: string } {
  let dir = here();
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === '@edgeline/cli' && typeof pkg.version === 'string') return { name: pkg.name, version: pkg.version };
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('@edgeline/cli: its package.json is missing');
    dir = up;
  }
}
