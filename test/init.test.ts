import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { edge, fixture, ROOT } from './helpers';

const exec = promisify(execFile);
const version = (pkg: string) => JSON.parse(readFileSync(join(ROOT, 'packages', pkg, 'package.json'), 'utf8')).version as string;
const FILES = ['package.json', 'tsconfig.json', 'edge.ts', 'edge.test.ts', 'events/viewer-request.json', 'events/viewer-response.json', '.gitignore'];

describe('edge init', () => {
  it('writes a project: the Edgeline packages at their current versions, vitest, typescript ~5.9.3, scripts build (type-checked) and test', async () => {
    const dir = await fixture({});
    const run = await edge(['init', 'my-edge'], dir);
    expect(run.code, run.stderr).toBe(0);
    const project = join(dir, 'my-edge');
    for (const f of FILES) expect(existsSync(join(project, f)), f).toBe(true);
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({
      name: 'my-edge',
      private: true,
      type: 'module',
      scripts: { build: 'edge build edge.ts --target cf --typecheck', test: 'vitest run' },
      dependencies: { '@edgeline/core': `^${version('core')}`, '@edgeline/middleware': `^${version('middleware')}` },
      devDependencies: { '@edgeline/cli': `^${version('cli')}`, typescript: '~5.9.3', vitest: expect.stringMatching(/^\^\d/) },
    });
    const entry = readFileSync(join(project, 'edge.ts'), 'utf8');
    expect(entry).toContain('securityHeaders()');
    expect(entry).toMatch(/defineMiddleware\(\{\s*name: 'indexPage'/);
    expect(readFileSync(join(project, 'edge.test.ts'), 'utf8')).toContain("from '@edgeline/core/testing'");
    const event = JSON.parse(readFileSync(join(project, 'events/viewer-request.json'), 'utf8'));
    expect(event).toMatchObject({ version: '1.0', context: { eventType: 'viewer-request' }, request: { uri: '/docs/' } });
    expect(run.stdout).toMatch(/npm install\n {2}npm test\n {2}npm run build/);
  });

  it('refuses to overwrite: exit 2, naming the files that are there, and writes nothing', async () => {
    const dir = await fixture({ 'edge.ts': '// mine\n', 'events/viewer-request.json': '{}' });
    const run = await edge(['init'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/already has edge\.ts, events\/viewer-request\.json: nothing was written/);
    expect(readFileSync(join(dir, 'edge.ts'), 'utf8')).toBe('// mine\n');
    expect(existsSync(join(dir, 'package.json'))).toBe(false);
    expect((await edge(['init', 'a', 'b'], dir)).code).toBe(2);
  });

  // The generated project outside the repository, its packages linked to this checkout (no
  // registry): node_modules/@edgeline/* are symlinks to packages/*, vitest, typescript and
  // @types/node to the repository's. Then its own npm test, npm run build and npx edge build.
  it('works: npm test, npm run build (type-checked) and npx edge build edge.ts --target cf in the new project', async () => {
    const project = join(await mkdtemp(join(tmpdir(), 'edge-init-')), 'site');
    const init = await edge(['init', project], ROOT);
    expect(init.code, init.stderr).toBe(0);
    const nm = join(project, 'node_modules');
    await mkdir(join(nm, '@edgeline'), { recursive: true });
    await mkdir(join(nm, '@types'), { recursive: true });
    await mkdir(join(nm, '.bin'), { recursive: true });
    for (const p of ['core', 'middleware', 'cli', 'cf-target', 'lambda-target']) await symlink(join(ROOT, 'packages', p), join(nm, '@edgeline', p));
    for (const p of ['vitest', 'typescript', '@types/node']) await symlink(join(ROOT, 'node_modules', p), join(nm, p));
    const bin = JSON.parse(readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8')).bin.edge as string;
    await symlink(join('../@edgeline/cli', bin), join(nm, '.bin/edge'));
    await symlink('../vitest/vitest.mjs', join(nm, '.bin/vitest'));
    const npm = (args: string[]) => exec('npm', args, { cwd: project, env: { ...process.env, CI: '1', NO_COLOR: '1' } });

    const test = await npm(['test']);
    expect(test.stdout).toMatch(/3 passed/);
    const build = await npm(['run', 'build']);
    expect(build.stdout).toMatch(/dist\/edge\/cf\/viewer-request\.js .*% of 10\.0 KB/);
    expect(build.stdout).toMatch(/\n {2}indexPage +\d+ B\n/);
    const npx = await exec('npx', ['edge', 'build', 'edge.ts', '--target', 'cf'], { cwd: project });
    expect(npx.stdout).toMatch(/dist\/edge\/cf\/viewer-response\.js/);
    const run = await exec('npx', ['edge', 'run', 'dist/edge/cf/viewer-request.js', '--event', 'events/viewer-request.json', '--json'], { cwd: project });
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, result: { uri: '/docs/index.html' } });
    expect(existsSync(join(project, '.edge'))).toBe(false);

    // A type error fails `npm run build` (edge build --typecheck) before anything is built.
    await writeFile(join(project, 'edge.ts'), readFileSync(join(project, 'edge.ts'), 'utf8').replace("ctx.request.uri = uri + config.index", 'ctx.request.uri = config.nothing'));
    const broken = await npm(['run', 'build']).then(() => undefined, (e: { code: number; stderr: string }) => e);
    expect(broken?.code).not.toBe(0);
    expect(broken?.stderr).toMatch(/edge\.ts does not type-check \(1 error, with tsconfig\.json\)/);
    expect(broken?.stderr).toMatch(/edge\.ts\(\d+,\d+\): error TS2339: Property 'nothing' does not exist/);
  }, 180_000);
});
