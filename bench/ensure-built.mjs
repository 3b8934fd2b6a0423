// `npm run bench` runs on the built packages (dist/). A full `npm run build` is ~27 s of this
// machine's two minutes for the bench, most of it declaration files the bench never reads: this
// builds only the workspaces whose sources changed since their dist/ was written (all of them on a
// fresh clone), in the root package.json's order.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { workspaces } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

/** The newest modification time of the files under `path` that a build reads (tests excluded). */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return /\.test(-d)?\.ts$/.test(path) ? 0 : stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** The oldest modification time of the files in dist/ (0 when there is none). */
function oldest(path) {
  if (!existsSync(path)) return 0;
  const files = readdirSync(path, { recursive: true }).map((f) => statSync(join(path, f))).filter((s) => s.isFile());
  return files.length ? Math.min(...files.map((s) => s.mtimeMs)) : 0;
}

for (const workspace of workspaces) {
  const dir = join(ROOT, workspace);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (!pkg.scripts?.build) continue;
  const sources = Math.max(newest(join(dir, 'src')), newest(join(dir, 'package.json')), newest(join(dir, 'tsup.config.ts')));
  if (oldest(join(dir, 'dist')) > sources) continue;
  process.stdout.write(`bench: building ${workspace} (its sources are newer than its dist/)\n`);
  execFileSync('npm', ['run', 'build', '-w', workspace], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}
