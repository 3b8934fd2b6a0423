import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { edge, fixture, ROOT } from './helpers';

const MIDDLEWARE = (value: string) => `import { defineMiddleware } from '@edgeline/core';
export const tag = defineMiddleware({ name: 'tag', needs: [], request(ctx) { ctx.request.headers.set('x-tag', '${value}'); } });
`;
const ENTRY = `import { edge } from '@edgeline/core';
import { securityHeaders } from '@edgeline/middleware';
import { tag } from './tag';
export default edge().use(securityHeaders()).use(tag);
`;

describe('edge --help, --version and exit codes', () => {
  it('edge --help lists the commands; edge <command> --help its options; both exit 0 on stdout', async () => {
    const dir = await fixture({});
    const [top, help, build, run, init, version] = await Promise.all([
      edge(['--help'], dir), edge(['help', 'build'], dir), edge(['build', '--help'], dir), edge(['run', '-h'], dir), edge(['init', '--help'], dir), edge(['--version'], dir),
    ]);
    for (const r of [top, help, build, run, init, version]) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
    }
    expect(top.stdout).toMatch(/Usage: edge <command>/);
    for (const c of ['init [dir]', 'build <entry>', 'run <artifact>']) expect(top.stdout).toContain(c);
    expect(help.stdout).toBe(build.stdout);
    for (const o of ['--target cf|lambda', '--runtime', '--node nodejs22.x|nodejs24.x', '--out <dir>', '--no-minify', '--typecheck', '--json', '--watch']) expect(build.stdout).toContain(o);
    for (const o of ['--event <file.json>', '--kvs <file.json>', '--runtime', '--json']) expect(run.stdout).toContain(o);
    expect(init.stdout).toMatch(/Usage: edge init \[dir\]/);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8')).version);
  });

  it('usage errors exit 2 on stderr, with the usage line', async () => {
    const dir = await fixture({ 'edge.ts': ENTRY, 'tag.ts': MIDDLEWARE('1') });
    const runs = await Promise.all([
      edge([], dir),
      edge(['deploy'], dir),
      edge(['build', 'edge.ts', '--target', 'cf', '--bogus'], dir),
      edge(['build', '--target', 'cf'], dir),
      edge(['help', 'deploy'], dir),
    ]);
    for (const r of runs) {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^edge: .*\n(Usage|Run)/m);
    }
  });

  it('refuses --node nodejs20.x with the date AWS deprecated it, and builds nodejs24.x', async () => {
    const dir = await fixture({ 'edge.ts': ENTRY, 'tag.ts': MIDDLEWARE('1') });
    const [old, current] = await Promise.all([
      edge(['build', 'edge.ts', '--target', 'lambda', '--node', 'nodejs20.x'], dir),
      edge(['build', 'edge.ts', '--target', 'lambda', '--node', 'nodejs24.x', '--json'], dir),
    ]);
    expect(old.code).toBe(2);
    expect(old.stderr).toMatch(/--node takes nodejs22\.x or nodejs24\.x.*deprecated nodejs20\.x on 2026-04-30/);
    expect(current.code, current.stderr).toBe(0);
    expect(JSON.parse(current.stdout).artifacts.every((a: { runtime: string }) => a.runtime === 'nodejs24.x')).toBe(true);
  });
});

describe('edge build: the size table and --json', () => {
  it('shows the bytes each middleware adds under each artifact, whatever its size', async () => {
    const dir = await fixture({ 'edge.ts': ENTRY, 'tag.ts': MIDDLEWARE('1') });
    const run = await edge(['build', 'edge.ts', '--target', 'cf'], dir);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.split('\n');
    const at = lines.findIndex((l) => /^dist\/edge\/cf\/viewer-request\.js /.test(l));
    const total = Number(/ (\d+) B /.exec(lines[at])![1]);
    const next = lines.findIndex((l, i) => i > at && !/^ {2}\S/.test(l));
    const rows = lines.slice(at + 1, next);
    // securityHeaders' response hook is not in the viewer-request function: tag never answers.
    expect(rows.map((r) => r.trim().split(/ {2,}/)[0]).sort()).toEqual(['runtime and glue', 'tag']);
    const sum = rows.map((r) => Number(/(\d+) B$/.exec(r)![1])).reduce((a, b) => a + b, 0);
    expect(sum).toBe(total);
  });

  it('--json prints the manifest alone on stdout; a rejection goes to stderr, with the violations as JSON on stdout', async () => {
    const dir = await fixture({
      'edge.ts': ENTRY,
      'tag.ts': MIDDLEWARE('1'),
      'body.ts': `import { defineMiddleware, edge } from '@edgeline/core';
export default edge().use(defineMiddleware({ name: 'readsBody', needs: ['body'], request(ctx) { ctx.request.headers.set('x-l', String(ctx.request.body && ctx.request.body.data.length)); } }));`,
    });
    const [ok, rejected] = await Promise.all([
      edge(['build', 'edge.ts', '--target', 'cf', '--json'], dir),
      edge(['build', 'body.ts', '--target', 'cf', '--json', '--out', 'rejected'], dir),
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    const manifest = JSON.parse(ok.stdout);
    expect(manifest).toEqual(JSON.parse(readFileSync(join(dir, 'dist/edge/cf/manifest.json'), 'utf8')));
    expect(manifest.artifacts.map((a: { file: string }) => a.file)).toEqual(['viewer-request.js', 'viewer-response.js']);
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toMatch(/middleware 'readsBody' needs 'body'/);
    expect(JSON.parse(rejected.stdout)).toMatchObject({ ok: false, violations: [expect.objectContaining({ middleware: 'readsBody', capability: 'body' })] });
  });
});

describe('edge build --watch', () => {
  it('rebuilds when a file the entry imports changes, printing the table again, and keeps watching after a broken save', async () => {
    const dir = await fixture({ 'edge.ts': ENTRY, 'tag.ts': MIDDLEWARE('1') });
    const child = spawn(process.execPath, [join(ROOT, 'packages/cli/dist/bin.js'), 'build', 'edge.ts', '--target', 'cf', '--watch'], { cwd: dir });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const until = async (what: () => boolean, label: string) => {
      for (let i = 0; i < 600 && !what() && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
      if (!what()) throw new Error(`never saw ${label}\nstdout:\n${stdout}\nstderr:\n${stderr}`);
    };
    const tables = () => stdout.split('manifest: dist/edge/cf/manifest.json').length - 1;
    const watching = () => stderr.split('watching').length - 1;
    try {
      await until(() => watching() >= 1, 'the first build');
      expect(tables()).toBe(1);
      const artifact = join(dir, 'dist/edge/cf/viewer-request.js');
      expect(readFileSync(artifact, 'utf8')).toContain('"1"');

      writeFileSync(join(dir, 'tag.ts'), MIDDLEWARE('second'));
      await until(() => tables() >= 2 && watching() >= 2, 'a second table');
      expect(readFileSync(artifact, 'utf8')).toContain('second');

      writeFileSync(join(dir, 'tag.ts'), 'export const tag = ;\n');
      await until(() => /cannot load/.test(stderr) && watching() >= 3, 'the broken save reported');
      writeFileSync(join(dir, 'tag.ts'), MIDDLEWARE('third'));
      await until(() => tables() >= 3, 'a third table');
      expect(readFileSync(artifact, 'utf8')).toContain('third');
    } finally {
      child.kill('SIGINT');
    }
    const code = await new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.on('exit', (c) => r(c))));
    expect(code).toBe(0);
  }, 120_000);
});
