import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'acorn';
import { edge, fixture } from './helpers';

const PIPELINE = `
import { defineMiddleware, edge } from '@edgeline/core';

const stamp = defineMiddleware({
  name: 'stamp', needs: [], config: { value: 'edgeline' },
  response(ctx, config) { ctx.response.headers.set('x-served-by', config.value); },
});
const gate = defineMiddleware({
  name: 'gate', needs: ['crypto:hash'], config: { path: '/private' },
  request(ctx, config) {
    if (ctx.request.uri.indexOf(config.path) === 0) return ctx.redirect('/login', 302);
    ctx.request.headers.set('x-ip-md5', require('crypto').createHash('md5').update(ctx.viewer.ip).digest('hex'));
  },
});
export default edge().use(stamp).use(gate);
`;

const rejected = (name: string, needs: string, body: string) => `
import { defineMiddleware, edge } from '@edgeline/core';
export default edge().use(defineMiddleware({ name: '${name}', needs: [${needs}], ${body} }));
`;

describe('edge build --target cf', () => {
  for (const runtime of ['cloudfront-js-1.0', 'cloudfront-js-2.0']) {
    it(`writes the artifacts and the manifest (${runtime})`, async () => {
      const dir = await fixture({ 'edge.ts': PIPELINE });
      const run = await edge(['build', 'edge.ts', '--target', 'cf', '--runtime', runtime], dir);
      expect(run.code, run.stderr).toBe(0);
      const out = join(dir, 'dist/edge/cf');
      for (const f of ['viewer-request.js', 'viewer-response.js']) {
        const code = readFileSync(join(out, f), 'utf8');
        expect(() => parse(code, { ecmaVersion: 5 })).not.toThrow();
      }
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
      expect(manifest.artifacts).toEqual([
        expect.objectContaining({ eventType: 'viewer-request', runtime, file: 'viewer-request.js', middleware: ['gate', 'stamp'], capabilities: expect.arrayContaining(['crypto:hash']), limitBytes: 10240 }),
        expect.objectContaining({ eventType: 'viewer-response', runtime, file: 'viewer-response.js', middleware: ['stamp'] }),
      ]);
      expect(manifest.artifacts[0].bytes).toBe(readFileSync(join(out, 'viewer-request.js')).length);
      expect(run.stdout).toMatch(/viewer-request\.js .*% of 10\.0 KB/);
    });
  }

  it('writes only the event types the pipeline uses, to --out, readable with --no-minify', async () => {
    const dir = await fixture({ 'edge.ts': rejected('only', '', "response(ctx) { ctx.response.headers.set('x-a', '1'); }") });
    const run = await edge(['build', 'edge.ts', '--target', 'cf', '--out', 'out', '--no-minify'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(join(dir, 'out/viewer-response.js'))).toBe(true);
    expect(existsSync(join(dir, 'out/viewer-request.js'))).toBe(false);
    const code = readFileSync(join(dir, 'out/viewer-response.js'), 'utf8');
    expect(code.split('\n').length).toBeGreaterThan(5);
    expect(code).toMatch(/\n {4}\S/);
  });

  const rejections: [string, string, string, RegExp][] = [
    ['readsBody', "'body'", 'request(ctx) { ctx.request.headers.set("x-l", String(ctx.request.body && ctx.request.body.data.length)); }', /readsBody' needs 'body'/],
    ['callsFetch', "'network', 'async'", 'async request() { await fetch("http://127.0.0.1:9/"); }', /callsFetch' needs 'network'/],
    ['awaits', "'async'", 'async request(ctx) { ctx.request.headers.set("x", await Promise.resolve("1")); }', /awaits' needs 'async'[\s\S]*cloudfront-js-2.0/],
    ['readsFile', "'fs'", 'request(ctx) { ctx.request.headers.set("x", require("fs").readFileSync("/etc/hostname", "utf8")); }', /readsFile' needs 'fs'/],
  ];
  for (const [name, needs, body, message] of rejections) {
    it(`rejects ${name} with exit 1, naming it, and writes nothing`, async () => {
      const dir = await fixture({ 'edge.ts': rejected(name, needs, body) });
      const run = await edge(['build', 'edge.ts', '--target', 'cf'], dir);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(message);
      expect(run.stdout).toMatch(/fix: /);
      expect(existsSync(join(dir, 'dist'))).toBe(false);
    });
  }

  it('exits 2 on usage errors and broken entries', async () => {
    const dir = await fixture({
      'edge.ts': PIPELINE,
      'broken.ts': 'export default edge(.use(',
      'nopipe.ts': 'export default 42;',
    });
    expect((await edge(['build', 'edge.ts'], dir)).code).toBe(2);
    expect((await edge(['build', 'edge.ts', '--target', 'azure'], dir)).code).toBe(2);
    expect((await edge(['build', 'edge.ts', '--target', 'cf', '--node', 'nodejs20.x'], dir)).code).toBe(2);
    expect((await edge(['build', 'missing.ts', '--target', 'cf'], dir)).code).toBe(2);
    expect((await edge(['build', 'broken.ts', '--target', 'cf'], dir)).code).toBe(2);
    const nopipe = await edge(['build', 'nopipe.ts', '--target', 'cf'], dir);
    expect(nopipe.code).toBe(2);
    expect(nopipe.stderr).toMatch(/default export/);
    expect((await edge(['frobnicate'], dir)).code).toBe(2);
  });
});

describe('edge run', () => {
  it('runs an artifact on an event: result, njs verdict, size', async () => {
    const dir = await fixture({
      'edge.ts': PIPELINE,
      'event.json': JSON.stringify({ version: '1.0', context: { eventType: 'viewer-request' }, viewer: { ip: '1.2.3.4' }, request: { method: 'GET', uri: '/private/x', querystring: {}, headers: {}, cookies: {} } }),
    });
    expect((await edge(['build', 'edge.ts', '--target', 'cf'], dir)).code).toBe(0);
    const run = await edge(['run', 'dist/edge/cf/viewer-request.js', '--event', 'event.json'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('"statusCode": 302');
    expect(run.stdout).toContain('"x-served-by"');
    expect(run.stdout).toMatch(/njs: ok, same result/);
    expect(run.stdout).toMatch(/size: \d+ B of 10240 B/);
  });
});
