import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec, packAll, ROOT, WORKSPACES, type Tarball } from './pack-tarballs';
import { fixture } from './helpers';

// What `npm publish` would ship, checked as a user's tools see it: publint (strict, suggestions
// included) and arethetypeswrong (the strict profile of `attw --pack`: node10, node16 from CJS and
// from ESM, bundler) on the tarball of each package. The end-to-end install is pack.e2e.test.ts.

let dest: string;
let tarballs: Tarball[];
const tarball = (dir: string) => tarballs.find((t) => t.dir === dir)!;

beforeAll(async () => {
  dest = await mkdtemp(join(tmpdir(), 'edgeline-pack-'));
  tarballs = await packAll(dest, WORKSPACES);
});
afterAll(async () => {
  if (dest) await rm(dest, { recursive: true, force: true });
});

async function bytesOf(file: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(file));
}

describe('packed packages', () => {
  for (const dir of WORKSPACES) {
    it(`${dir}: publint finds nothing, not even a suggestion`, async () => {
      const bytes = await bytesOf(tarball(dir).file);
      const { messages, pkg } = await publint({ pack: { tarball: bytes.slice().buffer }, strict: true, level: 'suggestion' });
      expect(messages.map((m) => formatMessage(m, pkg))).toEqual([]);
    });

    it(`${dir}: arethetypeswrong finds no problem under node10, node16 (CJS and ESM) and bundler`, async () => {
      const analysis = await checkPackage(createPackageFromTarballData(await bytesOf(tarball(dir).file)));
      if (!analysis.types) throw new Error(`${dir}: attw found no types`);
      expect(analysis.problems.map((p) => `${p.kind} ${JSON.stringify(p)}`)).toEqual([]);
      // Every entry point resolves in every mode (an unresolved one is a problem too; this names it).
      for (const [subpath, entry] of Object.entries(analysis.entrypoints)) {
        for (const [mode, resolution] of Object.entries(entry.resolutions)) {
          expect(resolution.resolution?.fileName, `${subpath} under ${mode}`).toBeTruthy();
        }
      }
    });

    it(`${dir}: ships dist, README and LICENSE, no tests and no sources`, () => {
      const { files, manifest } = tarball(dir);
      expect(files).toContain('LICENSE');
      expect(files).toContain('README.md');
      expect(files.filter((f) => /\.test(-d)?\.ts$/.test(f))).toEqual([]);
      // The Lambda guard is bundled into each handler from its source (lambda-target/src/bundle.ts).
      const sources = files.filter((f) => f.startsWith('src/'));
      expect(sources).toEqual(dir === 'lambda-target' ? ['src/runtime/guard.ts'] : []);
      const targets: string[] = [];
      const walk = (v: unknown): void => {
        if (typeof v === 'string') targets.push(v);
        else if (v && typeof v === 'object') Object.values(v).forEach(walk);
      };
      walk(manifest.exports);
      expect(targets.length).toBeGreaterThan(1);
      for (const target of targets) expect(files, `exports target ${target}`).toContain(target.slice(2));
    });

    it(`${dir}: metadata for the registry`, () => {
      const { manifest } = tarball(dir);
      expect(manifest).toMatchObject({
        license: 'MIT',
        engines: { node: '>=20.19' },
        publishConfig: { access: 'public' },
        repository: { type: 'git', directory: `packages/${dir}` },
      });
      expect(String(manifest.description).length).toBeGreaterThan(20);
      expect((manifest.keywords as string[]).length).toBeGreaterThan(2);
      // Siblings as ranges, so a user's newer core patch is shared rather than installed twice.
      const siblings = { ...manifest.dependencies, ...manifest.peerDependencies };
      for (const [name, range] of Object.entries(siblings)) {
        if (name.startsWith('@edgeline/')) expect(range, name).toBe('^0.1.0');
      }
      expect(manifest.dependencies?.typescript, 'typescript is never a dependency').toBeUndefined();
    });
  }

  it('packages that extend @edgeline/core take it as a peer, the CLI as a dependency', () => {
    for (const dir of ['cf-target', 'lambda-target', 'middleware']) {
      const { manifest } = tarball(dir);
      expect(manifest.peerDependencies?.['@edgeline/core'], dir).toBe('^0.1.0');
      expect(manifest.peerDependenciesMeta?.['@edgeline/core']?.optional, dir).toBeFalsy();
      expect(manifest.dependencies?.['@edgeline/core'], dir).toBeUndefined();
    }
    expect(tarball('cli').manifest.dependencies?.['@edgeline/core']).toBe('^0.1.0');
    // TypeScript lowers CloudFront Functions to ES5: an optional peer, pinned where 7 refuses ES5.
    expect(tarball('cf-target').manifest.peerDependencies?.typescript).toBe('~5.9.3');
    expect(tarball('cf-target').manifest.peerDependenciesMeta?.typescript?.optional).toBe(true);
  });
});

describe('typescript is loaded by a CloudFront Function build that needs lowering only', () => {
  // A preload that reports every resolution of typescript (cf-target resolves it, then requires
  // it or compiles it through its code cache).
  const SPY = `const M = require('module'); const resolve = M._resolveFilename;
M._resolveFilename = function (request, ...rest) { if (request === 'typescript') process.stderr.write('[spy] typescript loaded\\n'); return resolve.call(this, request, ...rest); };`;
  const BIN = join(ROOT, 'packages/cli/bin/edge.js');

  async function edgeWithSpy(args: string[]): Promise<string> {
    const spy = join(dest, 'spy.cjs');
    await writeFile(spy, SPY);
    const out = await exec(process.execPath, ['--require', spy, BIN, ...args], { cwd: ROOT }).catch((e: { stderr: string }) => e);
    return out.stderr;
  }

  it('edge --help does not load it', async () => {
    expect(await edgeWithSpy(['--help'])).not.toContain('[spy] typescript loaded');
  });

  it('edge build --target cf of code that is ES5 already (derived hooks) does not', async () => {
    const out = join(dest, 'cf-out');
    for (const runtime of ['cloudfront-js-1.0', 'cloudfront-js-2.0']) {
      const stderr = await edgeWithSpy(['build', 'examples/security-headers/edge.ts', '--target', 'cf', '--runtime', runtime, '--out', out]);
      expect(stderr, runtime).not.toContain('[spy] typescript loaded');
    }
  });

  it('edge build --target cf of a hook using what the runtime lacks (destructuring) does', async () => {
    const dir = await fixture({ 'destructures.ts': "import { defineMiddleware, edge } from '@edgeline/core';\nexport default edge().use(defineMiddleware({ name: 'd', needs: [], request(ctx) { const { uri } = ctx.request; ctx.request.headers.set('x-uri', uri); } }));\n" });
    const stderr = await edgeWithSpy(['build', join(dir, 'destructures.ts'), '--target', 'cf', '--out', join(dest, 'd-out')]);
    expect(stderr).toContain('[spy] typescript loaded');
  });
});
