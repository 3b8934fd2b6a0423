import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll } from 'vitest';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
export const ROOT = resolve(__dirname, '..');
const BIN = join(ROOT, 'packages/cli/dist/bin.js');

const made: string[] = [];
// Fixtures go when the test file that made them ends: a run leaves no projects behind.
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fixture project inside the repo, so `@edgeline/*` resolve as they would for a user. */
export async function fixture(files: Record<string, string>): Promise<string> {
  await mkdir(join(ROOT, 'test/.tmp'), { recursive: true });
  const dir = await mkdtemp(join(ROOT, 'test/.tmp/fx-'));
  made.push(dir);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built `edge` binary, as a user's script would. */
export async function edge(args: string[], cwd: string): Promise<CliRun> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [BIN, ...args], { cwd, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}
