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
    expect(code).toMatch(/\n {2,}\S/);
  });

  const rejections: [string, string, string, RegExp][] = [
    ['readsBody', "'body'", 'request(ctx) { ctx.request.headers.set("x-l", String(ctx.request.body && ctx.request.body.data.length)); }', /readsBody' needs 'body'/],
    ['callsFetch', "'network', 'async'", 'async request() { await fetch("http://127.0.0.1:9/"); }', /callsFetch' needs 'network'/],
    ['awaits', "'async'", 'async request(ctx) { ctx.request.headers.set("x", await Promise.resolve("1")); }', /awaits' needs 'async'[\s\S]*cloudfront-js-2.0/],
    ['readsFile', "'fs'", 'request(ctx) { ctx.request.headers.set("x", require("fs").readFileSync("/etc/hostname", "utf8")); }', /readsFile' needs 'fs'/],
  ];
  for (const [name, needs, body, message] of rejections) {
    it(`rejects ${name} with exit 1, naming it on stderr, and writes nothing`, async () => {
      const dir = await fixture({ 'edge.ts': rejected(name, needs, body) });
      // On 1.0, where async is one of the things refused too.
      const run = await edge(['build', 'edge.ts', '--target', 'cf', '--runtime', 'cloudfront-js-1.0'], dir);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toMatch(/fix: /);
      expect(run.stdout).toBe('');
      expect(existsSync(join(dir, 'dist'))).toBe(false);
    });
  }

  it('exits 2 on usage errors and broken entries', async () => {
    const dir = await fixture({
      'edge.ts': PIPELINE,
      'broken.ts': 'export default edge(.use(',
      'nopipe.ts': 'export default 42;',
    });
    // No --target is --target auto (issue 15): a usage error only without an entry.
    expect((await edge(['build'], dir)).code).toBe(2);
    expect((await edge(['build', 'edge.ts', '--target', 'azure'], dir)).code).toBe(2);
    expect((await edge(['build', 'edge.ts', '--target', 'cf', '--node', 'nodejs22.x'], dir)).code).toBe(2);
    expect((await edge(['build', 'missing.ts', '--target', 'cf'], dir)).code).toBe(2);
    expect((await edge(['build', 'broken.ts', '--target', 'cf'], dir)).code).toBe(2);
    const nopipe = await edge(['build', 'nopipe.ts', '--target', 'cf'], dir);
    expect(nopipe.code).toBe(2);
    expect(nopipe.stderr).toMatch(/must export an edge\(\) pipeline: export default edge\(\)\.use\(\.\.\.\), or module\.exports = .* \(it exports a number\)/);
    expect((await edge(['frobnicate'], dir)).code).toBe(2);
  });
});

describe('edge run', () => {
  it('runs an artifact on an event: result, njs verdict, size', async () => {
    const dir = await fixture({
      'edge.ts': PIPELINE,
      'event.json': JSON.stringify({ version: '1.0', context: { eventType: 'viewer-request' }, viewer: { ip: '1.2.3.4' }, request: { method: 'GET', uri: '/private/x', querystring: {}, headers: {}, cookies: {} } }),
    });
    const built = await edge(['build', 'edge.ts', '--target', 'cf'], dir);
    expect(built.code, built.stderr + built.stdout).toBe(0);
    const run = await edge(['run', 'dist/edge/cf/viewer-request.js', '--event', 'event.json'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('"statusCode": 302');
    expect(run.stdout).toContain('"x-served-by"');
    expect(run.stdout).toMatch(/njs: ok, same result/);
    expect(run.stdout).toMatch(/size: \d+ B of 10240 B/);
  });

  const EVENT = { version: '1.0', context: { eventType: 'viewer-request' }, viewer: { ip: '1.2.3.4' }, request: { method: 'GET', uri: '/x', querystring: {}, headers: {}, cookies: {} } };
  const LAMBDA_EVENT = { Records: [{ cf: { config: { eventType: 'viewer-request', requestId: 'r1' }, request: { clientIp: '1.2.3.4', method: 'GET', uri: '/x', querystring: '', headers: {} } } }] };

  it('exits 1 when njs and the vm emulator disagree, naming each difference', async () => {
    // Hand-written, no manifest: njs has a global `njs`, the emulator has not.
    const dir = await fixture({
      'fn.js': "function handler(event) { var r = event.request; r.headers['x-engine'] = { value: typeof njs === 'undefined' ? 'node' : 'njs' }; r.headers['x-same'] = { value: '1' }; return r; }\n",
      'event.json': JSON.stringify(EVENT),
    });
    const run = await edge(['run', 'fn.js', '--event', 'event.json'], dir);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/fn\.js: CloudFront Function \(cloudfront-js-1\.0\), read from the artifact/);
    expect(run.stdout).toMatch(/njs: ok, DIFFERENT result/);
    expect(run.stderr).toMatch(/njs and the vm emulator disagree \(1 difference\)/);
    expect(run.stderr).toContain('result.headers["x-engine"].value: vm "node", njs "njs"');
    expect(run.stderr).not.toContain('x-same');
  });

  it("shows the function's console.log lines, once when the vm emulator and njs log the same, else each engine's", async () => {
    const dir = await fixture({
      'fn.js': "function handler(event) { console.log('saw ' + event.request.uri); console.log('method', event.request.method); return event.request; }\n",
      'quiet.js': 'function handler(event) { return event.request; }\n',
      'engine.js': "function handler(event) { console.log('engine ' + (typeof njs === 'undefined' ? 'node' : 'njs')); return event.request; }\n",
      'event.json': JSON.stringify(EVENT),
    });
    const [run, quiet, engine] = await Promise.all(['fn.js', 'quiet.js', 'engine.js'].map((f) => edge(['run', f, '--event', 'event.json'], dir)));
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/\nlogs:\n {2}saw \/x\n {2}method GET\n/);
    expect(quiet.stdout).toMatch(/\nlogs: none\n/);
    expect(engine.code, engine.stderr).toBe(0);
    expect(engine.stdout).toMatch(/\nlogs \(vm emulator\):\n {2}engine node\nlogs \(njs\):\n {2}engine njs\n/);
  }, 120_000);

  it('exits 1 when the function fails, with the error on stderr', async () => {
    const dir = await fixture({ 'fn.js': 'function handler(event) { return event.request.nothing.here; }\n', 'event.json': JSON.stringify(EVENT) });
    const run = await edge(['run', 'fn.js', '--event', 'event.json'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/edge run: the function failed/);
  });

  it('gives a cloudfront-js-2.0 artifact a KeyValueStore with --kvs, and refuses --kvs elsewhere or from a bad file (exit 2)', async () => {
    const dir = await fixture({
      'edge.ts': `import { defineMiddleware, edge } from '@edgeline/core';
export default edge().use(defineMiddleware({ name: 'greet', needs: ['kvs', 'async'], async request(ctx) { ctx.request.headers.set('x-greeting', (await ctx.kvs('greeting')) ?? 'none'); } }));`,
      'event.json': JSON.stringify(EVENT),
      'kvs.json': JSON.stringify({ greeting: 'hej' }),
      'numbers.json': JSON.stringify({ greeting: 1 }),
      'array.json': '["greeting"]',
      'broken.json': '{ greeting: ',
      'plain.js': "function handler(event) { return event.request; }\n",
    });
    expect((await edge(['build', 'edge.ts', '--target', 'cf', '--runtime', 'cloudfront-js-2.0'], dir)).code).toBe(0);
    const artifact = 'dist/edge/cf/viewer-request.js';
    const run = await edge(['run', artifact, '--event', 'event.json', '--kvs', 'kvs.json'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/CloudFront Function \(cloudfront-js-2\.0, viewer-request\), read from dist\/edge\/cf\/manifest\.json/);
    expect(run.stdout).toMatch(/"x-greeting": \{\s*"value": "hej"/);
    expect(run.stdout).toMatch(/njs: ok, same result/);
    const empty = await edge(['run', artifact, '--event', 'event.json'], dir);
    expect(empty.stdout).toMatch(/"x-greeting": \{\s*"value": "none"/);
    const bad = ['numbers.json', 'array.json', 'broken.json', 'missing.json'];
    const [v1, ...refused] = await Promise.all([
      edge(['run', 'plain.js', '--event', 'event.json', '--kvs', 'kvs.json'], dir),
      ...bad.map((file) => edge(['run', artifact, '--event', 'event.json', '--kvs', file], dir)),
    ]);
    bad.forEach((file, i) => {
      expect(refused[i].code, file).toBe(2);
      expect(refused[i].stderr).toContain(`--kvs file ${file}`);
    });
    expect(v1.code).toBe(2);
    expect(v1.stderr).toMatch(/--kvs needs a cloudfront-js-2\.0 artifact.*plain\.js is a CloudFront Function \(cloudfront-js-1\.0\)/);
  }, 120_000);

  it('reads the runtime from the manifest: --runtime may not contradict it, and chooses it for a bare ES5.1 file', async () => {
    const dir = await fixture({ 'edge.ts': PIPELINE, 'event.json': JSON.stringify(EVENT), 'plain.js': 'function handler(event) { return event.request; }\n' });
    const built = await edge(['build', 'edge.ts', '--target', 'cf'], dir);
    expect(built.code, built.stderr + built.stdout).toBe(0);
    const contradicted = await edge(['run', 'dist/edge/cf/viewer-request.js', '--event', 'event.json', '--runtime', 'cloudfront-js-1.0'], dir);
    expect(contradicted.code).toBe(2);
    expect(contradicted.stderr).toMatch(/cloudfront-js-2\.0, viewer-request\), read from dist\/edge\/cf\/manifest\.json: --runtime cloudfront-js-1\.0 does not match/);
    const chosen = await edge(['run', 'plain.js', '--event', 'event.json', '--runtime', 'cloudfront-js-2.0'], dir);
    expect(chosen.code, chosen.stderr).toBe(0);
    expect(chosen.stdout).toMatch(/size: .*cloudfront-js-2\.0/);
  }, 120_000);

  it('refuses an event of another shape or event type than the artifact takes (exit 2), without a --runtime complaint', async () => {
    const dir = await fixture({
      'edge.ts': PIPELINE,
      'lambda.json': JSON.stringify(LAMBDA_EVENT),
      'response.json': JSON.stringify({ version: '1.0', context: { eventType: 'viewer-response' }, viewer: { ip: '1.2.3.4' }, request: EVENT.request, response: { statusCode: 200, headers: {}, cookies: {} } }),
      'other.json': JSON.stringify({ hello: 'world' }),
    });
    const built = await edge(['build', 'edge.ts', '--target', 'cf'], dir);
    expect(built.code, built.stderr + built.stdout).toBe(0);
    const lambda = await edge(['run', 'dist/edge/cf/viewer-request.js', '--event', 'lambda.json'], dir);
    expect(lambda.code).toBe(2);
    expect(lambda.stderr).toMatch(/lambda\.json is a Lambda@Edge event .*but dist\/edge\/cf\/viewer-request\.js is a CloudFront Function \(cloudfront-js-2\.0, viewer-request\)/);
    expect(lambda.stderr).not.toMatch(/--runtime must/);
    const response = await edge(['run', 'dist/edge/cf/viewer-request.js', '--event', 'response.json'], dir);
    expect(response.code).toBe(2);
    expect(response.stderr).toMatch(/response\.json is a viewer-response event, but .* give it a viewer-request event/);
    const other = await edge(['run', 'dist/edge/cf/viewer-request.js', '--event', 'other.json'], dir);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/neither a CloudFront Functions event nor a Lambda@Edge event/);
  }, 120_000);
});
