// `npm run bench` runs on the built packages (dist/). A full `npm run build` is ~27 s of this
// machine's two minutes for the bench, most of it declaration files: this builds only the
// workspaces the bench loads whose sources changed since their dist/ was written (all of them on
// a fresh clone), two at a time once what each depends on is built.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);
/** What the bench imports (run.mjs, cost.mjs) and runs (the edge binary): not @edgeline/cdk. */
const USED = ['packages/core', 'packages/cf-target', 'packages/lambda-target', 'packages/middleware', 'packages/cli'];

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

const packages = USED.map((dir) => {
  const pkg = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8'));
  // Build order follows what a package needs (core's optional peers, the targets its testing
  // helpers load when installed, would be a cycle).
  const optional = pkg.peerDependenciesMeta || {};
  const needs = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }).filter((n) => n.startsWith('@edgeline/') && !(optional[n] && optional[n].optional));
  const sources = Math.max(newest(join(ROOT, dir, 'src')), newest(join(ROOT, dir, 'package.json')), newest(join(ROOT, dir, 'tsup.config.ts')));
  return { dir, name: pkg.name, needs, stale: oldest(join(ROOT, dir, 'dist')) <= sources };
});
const stale = packages.filter((p) => p.stale);
const done = new Set(packages.filter((p) => !p.stale).map((p) => p.name));
const started = new Set();
async function lane() {
  for (;;) {
    const next = stale.find((p) => !started.has(p.name) && p.needs.every((n) => done.has(n) || !stale.some((s) => s.name === n)));
    if (!next) {
      if (stale.every((p) => done.has(p.name))) return;
      if (stale.every((p) => started.has(p.name) || p.needs.some((n) => !done.has(n) && !stale.some((s) => s.name === n)))) return;
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    started.add(next.name);
    process.stdout.write(`bench: building ${next.dir} (its sources are newer than its dist/)\n`);
    await run('npm', ['run', 'build', '-w', next.dir], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
    done.add(next.name);
  }
}
try {
  await Promise.all([lane(), lane()]);
} catch (e) {
  process.stderr.write(`bench: a build failed: ${(e.stderr || e.message).slice(-2000)}\n`);
  process.exit(1);
}
