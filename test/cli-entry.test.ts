import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { edge, fixture, ROOT } from './helpers';

const CJS = `const { defineMiddleware, edge } = require('@edgeline/core');
module.exports = edge().use(defineMiddleware({ name: 'fromCjs', needs: [], request(ctx) { ctx.request.headers.set('x-cjs', '1'); } }));
`;
const ESM = `import { defineMiddleware, edge } from '@edgeline/core';
export default edge().use(defineMiddleware({ name: 'tag', needs: [], request(ctx) { ctx.request.headers.set('x-tag', '1'); } }));
`;
/** A tsconfig of the fixture's own, so --typecheck does not use the repository's (which maps @edgeline/* to sources). */
const TSCONFIG = JSON.stringify({ compilerOptions: { strict: true, target: 'es2022', module: 'preserve', moduleResolution: 'bundler', skipLibCheck: true, noEmit: true, types: [] } });
/** Every file under a folder, relative. */
const tree = (dir: string): string[] => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath ?? d.path, d.name).slice(dir.length + 1)).sort();

describe('edge build: entries', () => {
  it('an entry shares the ES modules of @edgeline/* the CLI runs: no CommonJS copy of core or middleware is loaded', async () => {
    const dir = await fixture({ 'edge.ts': "import { edge } from '@edgeline/core';\nimport { securityHeaders } from '@edgeline/middleware';\nexport default edge().use(securityHeaders());\n", 'edge.cjs': CJS });
    const script = `
      import { createRequire } from 'node:module';
      import { loadEntry } from ${JSON.stringify(join(ROOT, 'packages/cli/dist/index.js'))};
      const out = [];
      for (const entry of ['edge.ts', 'edge.cjs']) out.push((await loadEntry(entry)).middleware.map((m) => m.name).join());
      const cjs = Object.keys(createRequire(import.meta.url).cache).filter((p) => /packages.(core|middleware).dist/.test(p));
      console.log(JSON.stringify({ out, cjs }));`;
    const result = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8' }));
    expect(result).toEqual({ out: ['securityHeaders', 'fromCjs'], cjs: [] });
  });

  it('accepts a CommonJS entry (module.exports = edge()...) in a .cjs file and in a .js file of a CommonJS project', async () => {
    const dir = await fixture({ 'edge.cjs': CJS, 'cjs-project/package.json': JSON.stringify({ type: 'commonjs' }), 'cjs-project/edge.js': CJS });
    const [cjs, js] = await Promise.all([
      edge(['build', 'edge.cjs', '--target', 'cf', '--out', 'a'], dir),
      edge(['build', 'cjs-project/edge.js', '--target', 'lambda', '--out', 'b'], dir),
    ]);
    expect(cjs.code, cjs.stderr).toBe(0);
    expect(readFileSync(join(dir, 'a/viewer-request.js'), 'utf8')).toContain('x-cjs');
    expect(js.code, js.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'b/manifest.json'), 'utf8')).artifacts[0].middleware).toEqual(['fromCjs']);
  });

  it('leaves nothing beside the entry (no .edge/ folder), and no temporary path in a load error', async () => {
    const dir = await fixture({ 'edge.ts': ESM, 'throws.ts': "import { edge } from '@edgeline/core';\nthrow new Error('boom at load');\nexport default edge();\n" });
    const before = tree(dir);
    const [ok, throws] = await Promise.all([edge(['build', 'edge.ts', '--target', 'cf', '--out', 'out'], dir), edge(['build', 'throws.ts', '--target', 'cf'], dir)]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(tree(dir)).toEqual([...before, 'out/manifest.json', 'out/viewer-request.js'].sort());
    expect(throws.code).toBe(2);
    expect(throws.stderr).toMatch(/cannot load throws\.ts: boom at load/);
    expect(throws.stderr).not.toMatch(/\.edge|entry-\d|\/tmp\//);
  });

  it('a malformed middleware in plain JavaScript is an error naming it and the field (exit 2), not a crash', async () => {
    const dir = await fixture({
      'no-needs.mjs': "import { defineMiddleware, edge } from '@edgeline/core';\nexport default edge().use(defineMiddleware({ name: 'tag', request(ctx) { ctx.request.headers.set('x', '1'); } }));\n",
      'plain.mjs': "import { edge } from '@edgeline/core';\nexport default edge().use({ name: 'tag', needs: [], request(ctx) { ctx.request.headers.set('x', '1'); } });\n",
      'factory.mjs': "import { edge } from '@edgeline/core';\nimport { securityHeaders } from '@edgeline/middleware';\nexport default edge().use(securityHeaders);\n",
    });
    const [noNeeds, plain, factory] = await Promise.all(['no-needs.mjs', 'plain.mjs', 'factory.mjs'].map((e) => edge(['build', e, '--target', 'cf'], dir)));
    for (const run of [noNeeds, plain, factory]) {
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).not.toMatch(/TypeError|unexpected error|at \S+ \(/);
    }
    expect(noNeeds.stderr).toMatch(/middleware 'tag': needs: expected the list of capabilities the hooks use \(\[\] when they use none\)/);
    expect(plain.stderr).toMatch(/middleware 'tag': use\(\): .*a plain object \(wrap it in defineMiddleware\)/);
    expect(factory.stderr).toMatch(/use\(\): .*call the factory: securityHeaders\(\), not securityHeaders/);
  });

  it('an empty pipeline is an error (exit 2) that leaves the previous artifacts alone', async () => {
    const dir = await fixture({ 'edge.ts': ESM, 'empty.ts': "import { edge } from '@edgeline/core';\nexport default edge();\n" });
    expect((await edge(['build', 'edge.ts', '--target', 'cf'], dir)).code).toBe(0);
    const run = await edge(['build', 'empty.ts', '--target', 'cf'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/empty\.ts exports an empty pipeline: add middleware with \.use\(\.\.\.\)/);
    expect(existsSync(join(dir, 'dist/edge/cf/viewer-request.js'))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'dist/edge/cf/manifest.json'), 'utf8')).entry).toBe('edge.ts');
  });

  it('resolves packages from the entry\'s folder, not the working directory', async () => {
    const out = await mkdtemp(join(tmpdir(), 'edge-out-'));
    const run = await edge(['build', join(ROOT, 'examples/jwt-cognito/edge.ts'), '--target', 'lambda', '--out', out], tmpdir());
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(join(out, 'viewer-request.zip'))).toBe(true);
  });

  it('a hook that requires a local file: bundled on Lambda@Edge; on CloudFront Functions refused without recommending require', async () => {
    const dir = await fixture({
      'lib/prefix.ts': "export const PREFIX = 'x-local-';\n",
      'edge.ts': `import { defineMiddleware, edge } from '@edgeline/core';
export default edge().use(defineMiddleware({ name: 'local', needs: [], request(ctx) { ctx.request.headers.set(require('./lib/prefix').PREFIX + 'a', '1'); } }));
`,
      'event.json': JSON.stringify({ Records: [{ cf: { config: { eventType: 'viewer-request', requestId: 'r' }, request: { clientIp: '1.2.3.4', method: 'GET', uri: '/', querystring: '', headers: {} } } }] }),
    });
    const lambda = await edge(['build', 'edge.ts', '--target', 'lambda'], dir);
    expect(lambda.code, lambda.stderr).toBe(0);
    const run = await edge(['run', 'dist/edge/lambda/viewer-request/index.js', '--event', 'event.json', '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).result.headers['x-local-a']).toEqual([{ key: 'x-local-a', value: '1' }]);
    const cf = await edge(['build', 'edge.ts', '--target', 'cf'], dir);
    expect(cf.code).toBe(1);
    expect(cf.stderr).toMatch(/middleware 'local' uses require\('\.\/lib\/prefix'\)/);
    expect(cf.stderr).toMatch(/fix: use --target lambda, or inline what the module does/);
    expect(cf.stderr).not.toMatch(/require\('\.\.\.'\) inside/);
  }, 120_000);
});

describe('edge build --typecheck', () => {
  it('runs the TypeScript checker on the entry first: type errors exit 2, naming file and line, and nothing is built', async () => {
    const dir = await fixture({
      'tsconfig.json': TSCONFIG,
      'edge.ts': ESM,
      'typo.ts': `import { defineMiddleware, edge } from '@edgeline/core';
export default edge().use(defineMiddleware({ name: 'typo', needs: [], request(ctx) { ctx.request.headerz.set('a', '1'); } }));
`,
    });
    const [ok, typo] = await Promise.all([
      edge(['build', 'edge.ts', '--target', 'cf', '--typecheck'], dir),
      edge(['build', 'typo.ts', '--target', 'cf', '--typecheck', '--out', 'typo'], dir),
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/typo\.ts does not type-check \(1 error, with tsconfig\.json\); nothing was built/);
    expect(typo.stderr).toMatch(/typo\.ts\(2,\d+\): error TS2551: Property 'headerz' does not exist/);
    expect(existsSync(join(dir, 'typo'))).toBe(false);
  }, 120_000);
});

describe('edge build --no-minify', () => {
  it('writes a CloudFront Function that fits only minified, with a warning; one that fits in no form is rejected', async () => {
    const statements = (n: number) => Array.from({ length: n }, (_, i) =>
      `const someQuiteLongVariableNameForTesting${i} = ctx.request.uri.length + ${i}; if (someQuiteLongVariableNameForTesting${i} === ${i * 7}) ctx.request.headers.set('x-n', String(someQuiteLongVariableNameForTesting${i}));`).join('\n');
    const entry = (n: number) => `import { defineMiddleware, edge } from '@edgeline/core';
export default edge().use(defineMiddleware({ name: 'big', needs: [], request(ctx) {
${statements(n)}
} }));
`;
    const dir = await fixture({ 'fits.ts': entry(60), 'huge.ts': entry(200) });
    const [fits, huge] = await Promise.all([
      edge(['build', 'fits.ts', '--target', 'cf', '--no-minify', '--out', 'fits'], dir),
      edge(['build', 'huge.ts', '--target', 'cf', '--no-minify', '--out', 'huge'], dir),
    ]);
    expect(fits.code, fits.stderr).toBe(0);
    const bytes = readFileSync(join(dir, 'fits/viewer-request.js')).length;
    expect(bytes).toBeGreaterThan(10240);
    expect(fits.stderr).toMatch(new RegExp(`warning: viewer-request\\.js is ${bytes} B unminified, over the 10240 B CloudFront accepts; .*fits minified \\(\\d+ B\\): deploy a build without --no-minify`));
    expect(huge.code).toBe(1);
    expect(huge.stderr).toMatch(/middleware 'big' uses size/);
    expect(existsSync(join(dir, 'huge'))).toBe(false);
  }, 120_000);
});
