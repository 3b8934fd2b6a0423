// Cold `edge build` CPU: each example built for each target it lists, by the `edge` binary in a
// fresh Node process, as a user's `npx edge build` runs. Issue 13 asks for under 0.5 s of CPU.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);
export const COLD_BUILD_TARGET_MS = 500;

// The process's own CPU (all its threads: V8's compiler threads too), written at exit. esbuild's
// Go service is another process, which Node does not reap: its few milliseconds are not counted.
const PRELOAD = `const { writeFileSync } = require('node:fs');
process.on('exit', () => {
  const u = process.cpuUsage();
  writeFileSync(process.env.EDGE_BENCH_CPU_FILE, JSON.stringify({ user: u.user / 1000, system: u.system / 1000, wall: performance.now() }));
});
`;

/**
 * Runs `args` of the edge binary `runs` times, each in a new process; medians of CPU (user +
 * system) and wall milliseconds.
 */
async function measure(bin, args, cwd, runs, dir) {
  const preload = join(dir, 'cpu.cjs');
  const out = join(dir, 'cpu.json');
  await writeFile(preload, PRELOAD);
  const cpu = [];
  const wall = [];
  let failure;
  for (let i = 0; i < runs; i++) {
    try {
      await execFileP(process.execPath, ['--require', preload, bin, ...args], { cwd, env: { ...process.env, EDGE_BENCH_CPU_FILE: out } });
    } catch (e) {
      failure = (e.stderr || e.message).split('\n').find((l) => l.trim()) ?? 'failed';
    }
    const u = JSON.parse(await readFile(out, 'utf8'));
    cpu.push(u.user + u.system);
    wall.push(u.wall);
  }
  return { cpuMs: median(cpu), wallMs: median(wall), samplesCpuMs: cpu.map(Math.round), failure };
}

/**
 * `edge --help`, then `edge build <example>/edge.ts --target ...` for every example and target of
 * its example.json. Returns rows for results.json.
 */
export async function benchColdBuilds({ root, examples, bin, runs = 3, log }) {
  const dir = await mkdtemp(join(tmpdir(), 'edgeline-bench-cold-'));
  const rows = [];
  try {
    const jobs = [{ name: 'edge --help', args: ['--help'] }];
    for (const example of examples) {
      const { targets } = JSON.parse(await readFile(join(root, 'examples', example, 'example.json'), 'utf8'));
      for (const spec of targets) {
        const [target, runtime] = spec.split(':');
        const args = ['build', join('examples', example, 'edge.ts'), '--target', target, '--out', join(dir, 'out', example, spec.replace(':', '-'))];
        if (runtime) args.push('--runtime', runtime);
        jobs.push({ name: `${example} ${spec}`, args });
      }
    }
    for (const job of jobs) {
      const m = await measure(bin, job.args, root, runs, dir);
      rows.push({ name: job.name, ...m });
      const flag = job.name !== 'edge --help' && m.cpuMs > COLD_BUILD_TARGET_MS ? '  over 0.5 s' : '';
      log(`  ${job.name.padEnd(44)} ${String(Math.round(m.cpuMs)).padStart(5)} ms CPU ${String(Math.round(m.wallMs)).padStart(5)} ms wall${flag}${m.failure ? `  (exit != 0: ${m.failure})` : ''}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
