import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

export const exec = promisify(execFile);
export const ROOT = resolve(__dirname, '..');

/** The published packages, by their folder under packages/. */
export const PACKAGES = ['core', 'cf-target', 'lambda-target', 'middleware', 'cli'] as const;
export type PackageDir = (typeof PACKAGES)[number];

export interface Tarball {
  dir: PackageDir;
  name: string;
  /** Absolute path of the .tgz. */
  file: string;
  /** The paths inside the tarball, without the `package/` prefix. */
  files: string[];
  manifest: Record<string, unknown> & {
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
    peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  };
}

/**
 * `npm pack` of every package into `dest`, in one npm call, as `npm publish` would pack them.
 * Needs the packages built (`npm test` builds first).
 */
export async function packAll(dest: string): Promise<Tarball[]> {
  const missing = PACKAGES.filter((p) => !existsSync(join(ROOT, 'packages', p, 'dist')));
  if (missing.length) throw new Error(`packages not built (${missing.join(', ')}): run npm run build first`);
  const workspaces = PACKAGES.flatMap((p) => ['-w', `packages/${p}`]);
  const { stdout } = await exec('npm', ['pack', ...workspaces, '--pack-destination', dest, '--json', '--ignore-scripts'], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  const packed = JSON.parse(stdout) as { name: string; filename: string; files: { path: string }[] }[];
  return Promise.all(
    PACKAGES.map(async (dir) => {
      const manifest = JSON.parse(await readFile(join(ROOT, 'packages', dir, 'package.json'), 'utf8')) as Tarball['manifest'];
      const entry = packed.find((p) => p.name === manifest.name);
      if (!entry) throw new Error(`npm pack did not pack ${manifest.name}`);
      return { dir, name: entry.name, file: join(dest, entry.filename), files: entry.files.map((f) => f.path), manifest };
    }),
  );
}
