import { afterAll, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { exec, packAll, ROOT } from './pack-tarballs';

// Edgeline as a user meets it: the packed tarballs installed into a fresh project outside the
// repository (an ES module package, with a CommonJS package in its cjs/ folder sharing its
// node_modules), type-checked under node16, nodenext and bundler (and node10 for CommonJS), built
// for both targets with the installed `edge` binary, and tested with vitest there. One test,
// because the install is the slow part; the steps' times are printed.

const version = (name: string) => (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

const EDGE_TS = `import { defineMiddleware, edge } from '@edgeline/core';
import { securityHeaders } from '@edgeline/middleware';

const poweredBy = defineMiddleware({
  name: 'poweredBy',
  needs: [],
  config: { value: 'edgeline' },
  response(ctx, config) {
    ctx.response.headers.set('x-powered-by', config.value);
  },
});

export default edge().use(poweredBy).use(securityHeaders());
`;

/** Every public entry point, used through a value and a type each, so a wrong types path fails. */
const TYPES_TS = (edgeImport: string) => `import { checkPipeline, type Pipeline, type Violation } from '@edgeline/core';
import { runPipeline, viewerResponse, type Outcome } from '@edgeline/core/testing';
import { respond, type CffEvent } from '@edgeline/core/runtime';
import { buildCf, MAX_BYTES } from '@edgeline/cf-target';
import { buildLambda } from '@edgeline/lambda-target';
import { securityHeaders, geoRedirect } from '@edgeline/middleware';
import { build, EXIT, type ExitCode } from '@edgeline/cli';
import pipeline from '${edgeImport}';

const p: Pipeline<never> = pipeline;
export const violations: Violation[] = checkPipeline(p, 'cloudfront-js-1.0');
export const outcome: Promise<Outcome> = runPipeline(p, viewerResponse({}));
export const code: ExitCode = EXIT.ok;
export const limit: number = MAX_BYTES;
export const event: CffEvent | undefined = undefined;
export const used = [respond, buildCf, buildLambda, build, securityHeaders, geoRedirect] as const;
`;

const TEST_TS = (edgeImport: string) => `import { expect, it } from 'vitest';
import { runPipeline, viewerResponse } from '@edgeline/core/testing';
import pipeline from '${edgeImport}';

it('adds x-powered-by and the security headers', async () => {
  const out = await runPipeline(pipeline, viewerResponse({}));
  if (out.kind !== 'response') throw new Error('expected a response, got ' + out.kind);
  expect(out.response.headers['x-powered-by']).toEqual(['edgeline']);
  expect(out.response.headers['x-content-type-options']).toEqual(['nosniff']);
});
`;

/** Plain CommonJS at run time: require() of each entry, a pipeline run, the built Lambda handler, buildCf. */
const CHECK_CJS = `const assert = require('node:assert');
const { edge, defineMiddleware } = require('@edgeline/core');
const { runPipeline, viewerResponse, lambdaEvent } = require('@edgeline/core/testing');
require('@edgeline/core/runtime');
const { buildCf } = require('@edgeline/cf-target');
require('@edgeline/lambda-target');
require('@edgeline/cli');
const { securityHeaders } = require('@edgeline/middleware');

const tag = defineMiddleware({ name: 'tag', needs: [], response(ctx) { ctx.response.headers.set('x-tag', '1'); } });
(async () => {
  const out = await runPipeline(edge().use(tag).use(securityHeaders()), viewerResponse({}));
  assert.deepStrictEqual(out.response.headers['x-tag'], ['1']);
  const { handler } = require('./dist/edge/lambda/viewer-response/index.js');
  const res = await handler(lambdaEvent('viewer-response', {}), {});
  assert.strictEqual(res.headers['x-powered-by'][0].value, 'edgeline');
  // The CommonJS build of cf-target finds typescript (its lazy require) and lowers to ES5.
  const built = await buildCf({ pipeline: edge().use(tag) });
  assert.ok(built.ok && /^function handler\\(/.test(built.artifacts[0].code), JSON.stringify(built));
  console.log('cjs ok');
})().catch((e) => { console.error(e); process.exit(1); });
`;

const tsconfig = (module: string, moduleResolution: string, file: string) =>
  JSON.stringify({
    compilerOptions: {
      module,
      moduleResolution,
      target: 'es2022',
      lib: ['es2022'],
      types: [],
      strict: true,
      noEmit: true,
      esModuleInterop: true,
      // Our .d.ts files are checked (skipLibCheck off); TypeScript's own lib files are not.
      skipLibCheck: false,
      skipDefaultLibCheck: true,
    },
    files: [file],
  });

// What the CommonJS project checks under each mode; node10 (no exports map) reads typesVersions.
const MODES: Record<'esm' | 'cjs', [name: string, module: string, moduleResolution: string][]> = {
  esm: [
    ['node16', 'node16', 'node16'],
    ['nodenext', 'nodenext', 'nodenext'],
    ['bundler', 'preserve', 'bundler'],
  ],
  cjs: [
    ['node16', 'node16', 'node16'],
    ['nodenext', 'nodenext', 'nodenext'],
    ['bundler', 'preserve', 'bundler'],
    ['node10', 'commonjs', 'node10'],
  ],
};

/** The child processes get no npm_* variables from an enclosing `npm test`: the project is not the repository. */
const ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
const NETWORK = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|network/;

interface Run {
  code: number;
  out: string;
}
async function run(cmd: string, args: string[], cwd: string, timeout = 120_000): Promise<Run> {
  try {
    const { stdout, stderr } = await exec(cmd, args, { cwd, env: ENV, timeout, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code?: number | string; stdout?: string; stderr?: string; message: string };
    return { code: typeof err.code === 'number' ? err.code : -1, out: `${err.stdout ?? ''}${err.stderr ?? ''}${err.message}` };
  }
}
function ok(r: Run, what: string): string {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.out}`);
  return r.out;
}

let base: string | undefined;
afterAll(async () => {
  if (base) await rm(base, { recursive: true, force: true });
});

it('installed from the tarballs: tsc (node16, nodenext, bundler; node10 for CommonJS), edge build for both targets, vitest', async (ctx) => {
  const times: string[] = [];
  let last = performance.now();
  const step = (name: string) => {
    const now = performance.now();
    times.push(`${name} ${((now - last) / 1000).toFixed(1)} s`);
    last = now;
  };

  base = await mkdtemp(join(tmpdir(), 'edgeline-e2e-'));
  await mkdir(join(base, 'tarballs'));
  const tarballs = await packAll(join(base, 'tarballs'));
  step('pack');

  const app = join(base, 'app');
  const cjs = join(app, 'cjs');
  const files: Record<string, string> = {
    'package.json': JSON.stringify({
      name: 'edgeline-e2e',
      private: true,
      type: 'module',
      devDependencies: {
        ...Object.fromEntries(tarballs.map((t) => [t.name, `file:${t.file}`])),
        typescript: version('typescript'),
        vitest: version('vitest'),
      },
    }),
    'edge.ts': EDGE_TS,
    // A hook with what no CloudFront runtime has (destructuring): only its build needs TypeScript.
    'lowered.mjs': "import { defineMiddleware, edge } from '@edgeline/core';\nexport default edge().use(defineMiddleware({ name: 'd', needs: [], request(ctx) { const { uri } = ctx.request; ctx.request.headers.set('x-uri', uri); } }));\n",
    'types.ts': TYPES_TS('./edge.js'),
    'edge.test.ts': TEST_TS('./edge.js'),
    'cjs/package.json': JSON.stringify({ name: 'edgeline-e2e-cjs', private: true, type: 'commonjs' }),
    'cjs/edge.ts': EDGE_TS,
    'cjs/types.ts': TYPES_TS('./edge'),
    'cjs/edge.test.ts': TEST_TS('./edge'),
    'cjs/check.cjs': CHECK_CJS,
  };
  const references: { path: string }[] = [];
  for (const [kind, modes] of Object.entries(MODES)) {
    for (const [name, module, resolution] of modes) {
      const path = `${kind === 'cjs' ? 'cjs/' : ''}tsconfig.${name}.json`;
      files[path] = tsconfig(module, resolution, 'types.ts');
      references.push({ path });
    }
  }
  files['tsconfig.all.json'] = JSON.stringify({ files: [], references });
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(app, name)), { recursive: true });
    await writeFile(join(app, name), content);
  }

  // From the npm cache when it holds everything; else from the registry (a fresh machine's cache
  // has the tarballs `npm ci` fetched but not the package documents a range needs).
  const flags = ['--no-audit', '--no-fund', '--loglevel=error', '--fetch-retries=1', '--fetch-timeout=30000'];
  let install = await run('npm', ['install', '--offline', ...flags], app);
  let from = 'the npm cache (--offline)';
  if (install.code !== 0 && /ENOTCACHED/.test(install.out)) {
    install = await run('npm', ['install', '--prefer-offline', ...flags], app);
    from = 'the registry (--prefer-offline)';
    if (install.code !== 0 && NETWORK.test(install.out)) {
      ctx.skip(`the npm registry is unreachable and the npm cache lacks what the tarballs depend on:\n${install.out.slice(0, 2000)}`);
    }
  }
  ok(install, 'npm install of the tarballs');
  step(`npm install from ${from}`);
  expect(existsSync(join(app, 'node_modules/.bin/edge')), 'the edge binary is linked').toBe(true);

  // One `tsc -b` over the seven configurations (each has noEmit): build mode shares the parsed
  // files between them, a third of the CPU of seven tsc runs. --verbose names the failing one.
  const tsc = join(app, 'node_modules/typescript/bin/tsc');
  ok(await run(process.execPath, [tsc, '-b', 'tsconfig.all.json', '--verbose'], app), 'tsc --noEmit');
  step('tsc --noEmit, 7 configurations');

  // edge build with the installed binary, ESM and CommonJS projects side by side.
  const buildBoth = async (cwd: string) => {
    for (const target of ['cf', 'lambda']) ok(await run('npx', ['--no', 'edge', 'build', 'edge.ts', '--target', target], cwd), `edge build --target ${target} in ${cwd}`);
  };
  await Promise.all([buildBoth(app), buildBoth(cjs)]);
  for (const dir of [app, cjs]) {
    for (const target of ['cf', 'lambda']) {
      const manifest = JSON.parse(await readFile(join(dir, 'dist/edge', target, 'manifest.json'), 'utf8')) as { artifacts: { file: string; eventType: string }[] };
      expect(manifest.artifacts.map((a) => a.eventType).sort()).toEqual(target === 'cf' ? ['viewer-response'] : ['origin-response', 'viewer-response']);
      for (const a of manifest.artifacts) expect(existsSync(join(dir, 'dist/edge', target, a.file)), `${target} ${a.file}`).toBe(true);
    }
  }
  expect(await readFile(join(app, 'dist/edge/cf/viewer-response.js'), 'utf8')).toMatch(/^function handler\(/);
  step('edge build --target cf and --target lambda, twice');

  const vitest = ok(await run('npx', ['--no', 'vitest', 'run'], app), 'vitest run');
  expect(vitest).toMatch(/Tests\s+.*2 passed/);
  ok(await run(process.execPath, ['check.cjs'], cjs), 'CommonJS require() of every entry');
  step('vitest (ESM and CommonJS test files) and node check.cjs');

  // TypeScript is an optional peer of cf-target: without it a Lambda@Edge build works, so does a
  // CloudFront Function whose code needs no lowering, and one that does says what to install.
  await rename(join(app, 'node_modules/typescript'), join(app, 'typescript-aside'));
  try {
    ok(await run('npx', ['--no', 'edge', 'build', 'edge.ts', '--target', 'lambda', '--out', 'dist/no-ts'], app), 'edge build --target lambda without typescript');
    ok(await run('npx', ['--no', 'edge', 'build', 'edge.ts', '--target', 'cf', '--out', 'dist/no-ts-cf'], app), 'edge build --target cf of ES5 code without typescript');
    const cf = await run('npx', ['--no', 'edge', 'build', 'lowered.mjs', '--target', 'cf', '--out', 'dist/no-ts'], app);
    expect(cf.code).not.toBe(0);
    expect(cf.out).toContain('npm install --save-dev typescript@~5.9.3');
  } finally {
    await rename(join(app, 'typescript-aside'), join(app, 'node_modules/typescript'));
  }
  step('without typescript: lambda and ES5 cf build, a cf build that needs lowering names the fix');
  console.log(`pack e2e: ${times.join(', ')}`);
}, 300_000);
