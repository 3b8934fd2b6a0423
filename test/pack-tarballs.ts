import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

export const exec = promisify(execFile);
export const ROOT = resolve(__dirname, '..');

/** The packages a user installs to build and test edge code, by their folder under packages/. */
export const PACKAGES = ['core', 'cf-target', 'lambda-target', 'middleware', 'cli'] as const;
export type PackageDir = string;

/** Every workspace package (PACKAGES and any added since), by folder: all are published. */
export const WORKSPACES: PackageDir[] = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces.map((w) =>
  w.replace(/^packages\//, ''),
);

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
export async function packAll(dest: string, dirs: readonly PackageDir[] = PACKAGES): Promise<Tarball[]> {
  const missing = dirs.filter((p) => !existsSync(join(ROOT, 'packages', p, 'dist')));
  if (missing.length) throw new Error(`packages not built (${missing.join(', ')}): run npm run build first`);
  const workspaces = dirs.flatMap((p) => ['-w', `packages/${p}`]);
  const { stdout } = await exec('npm', ['pack', ...workspaces, '--pack-destination', dest, '--json', '--ignore-scripts'], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  const packed = JSON.parse(stdout) as { name: string; filename: string; files: { path: string }[] }[];
  return Promise.all(
    dirs.map(async (dir) => {
      const manifest = JSON.parse(await readFile(join(ROOT, 'packages', dir, 'package.json'), 'utf8')) as Tarball['manifest'];
      const entry = packed.find((p) => p.name === manifest.name);
      if (!entry) throw new Error(`npm pack did not pack ${manifest.name}`);
      return { dir, name: entry.name, file: join(dest, entry.filename), files: entry.files.map((f) => f.path), manifest };
    }),
  );
}
