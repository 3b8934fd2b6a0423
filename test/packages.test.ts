import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

// Users load the built packages, not our sources: each entry of each exports map must load in a
// plain Node process, as ESM and as CommonJS, with the same names exported.
const ENTRIES = [
  '@edgeline/core',
  '@edgeline/core/testing',
  '@edgeline/core/runtime',
  '@edgeline/cf-target',
  '@edgeline/lambda-target',
  '@edgeline/middleware',
  '@edgeline/cli',
];
const ROOT = join(__dirname, '..');

function exportedNames(kind: 'require' | 'import', entry: string): string[] {
  const load =
    kind === 'require'
      ? `Promise.resolve(require(${JSON.stringify(entry)}))`
      : `import(${JSON.stringify(entry)})`;
  const script = `${load}.then((m) => console.log(JSON.stringify(Object.keys(m).filter((k) => k !== 'default' && k !== 'module.exports').sort())))`;
  const out = execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(out) as string[];
}

describe('built packages', () => {
  for (const entry of ENTRIES) {
    it(`${entry} loads as CommonJS and as ESM with the same exports`, () => {
      const cjs = exportedNames('require', entry);
      expect(cjs.length).toBeGreaterThan(0);
      expect(exportedNames('import', entry)).toEqual(cjs);
    });
  }

  // One copy of the core per module system: a pipeline made with one entry is a pipeline to the others.
  for (const kind of ['require', 'import'] as const) {
    it(`@edgeline/core/testing runs a pipeline made with @edgeline/core (${kind})`, () => {
      const load = (entry: string) => (kind === 'require' ? `Promise.resolve(require('${entry}'))` : `import('${entry}')`);
      const script = `Promise.all([${load('@edgeline/core')}, ${load('@edgeline/core/testing')}]).then(async ([core, testing]) => {
        const mw = core.defineMiddleware({ name: 'tag', needs: [], request(ctx) { ctx.request.headers.set('x-tag', '1'); } });
        const out = await testing.runPipeline(core.edge().use(mw), testing.viewerRequest({}));
        console.log(JSON.stringify(out.request.headers['x-tag']));
      })`;
      expect(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' }).trim()).toBe('["1"]');
    });
  }
});
