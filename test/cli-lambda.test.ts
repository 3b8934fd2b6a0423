import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import { edge, fixture } from './helpers';

const PIPELINE = `
import { defineMiddleware, edge } from '@edgeline/core';

const stamp = defineMiddleware({
  name: 'stamp', needs: [], config: { value: 'edgeline' },
  runsAt: { response: ['origin-response', 'viewer-response'] },
  response(ctx, config) { ctx.response.headers.set('x-served-by', config.value); },
});
const bodySize = defineMiddleware({
  name: 'bodySize', needs: ['body'], runsAt: { request: ['origin-request'] },
  request(ctx) { ctx.request.headers.set('x-body-bytes', String(ctx.request.body ? ctx.request.body.data.length : 0)); },
});
export default edge().use(stamp).use(bodySize);
`;

describe('edge build --target lambda', () => {
  it('writes one handler and one zip per event type, and the manifest', async () => {
    const dir = await fixture({ 'edge.ts': PIPELINE });
    const run = await edge(['build', 'edge.ts', '--target', 'lambda', '--node', 'nodejs22.x'], dir);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const out = join(dir, 'dist/edge/lambda');
    for (const e of ['origin-request', 'origin-response']) {
      const code = readFileSync(join(out, e, 'index.js'), 'utf8');
      expect(code).toMatch(/exports\.handler\s*=/);
      const zip = unzipSync(readFileSync(join(out, `${e}.zip`)));
      expect(new TextDecoder().decode(zip['index.js'])).toBe(code);
    }
    expect(existsSync(join(out, 'viewer-request'))).toBe(false);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    const byType = Object.fromEntries(manifest.artifacts.map((a: { eventType: string }) => [a.eventType, a]));
    expect(byType['origin-request']).toMatchObject({ runtime: 'nodejs22.x', includeBody: true, file: 'origin-request/index.js', zipFile: 'origin-request.zip', middleware: ['bodySize', 'stamp'] });
    // stamp is in origin-request too: CloudFront skips origin-response for an answer given there.
    expect(byType['origin-response']).toMatchObject({ includeBody: false, middleware: ['stamp'] });
    expect(byType['origin-request'].zippedBytes).toBeLessThan(byType['origin-request'].limitBytes);
    expect(run.stdout).toMatch(/origin-request\/index\.js .* zipped/);
  });

  it('rejects a middleware reading process.env with exit 1 and its name', async () => {
    const dir = await fixture({
      'edge.ts': `import { defineMiddleware, edge } from '@edgeline/core';
export default edge().use(defineMiddleware({ name: 'readsEnv', needs: ['env'], request(ctx) { ctx.request.headers.set('x-k', process.env.API_KEY || ''); } }));`,
    });
    const run = await edge(['build', 'edge.ts', '--target', 'lambda'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/readsEnv/);
    expect(run.stderr).toMatch(/env/);
    expect(existsSync(join(dir, 'dist'))).toBe(false);
  });

  it('runs a Lambda@Edge artifact with edge run', async () => {
    const dir = await fixture({
      'edge.ts': PIPELINE,
      'event.json': JSON.stringify({ Records: [{ cf: { config: { eventType: 'origin-request', requestId: 'r1' }, request: { clientIp: '1.2.3.4', method: 'POST', uri: '/', querystring: '', headers: {}, body: { action: 'read-only', data: 'aGVsbG8=', encoding: 'base64', inputTruncated: false } } } }] }),
    });
    expect((await edge(['build', 'edge.ts', '--target', 'lambda'], dir)).code).toBe(0);
    const run = await edge(['run', 'dist/edge/lambda/origin-request/index.js', '--event', 'event.json'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('"x-body-bytes"');
    expect(run.stdout).toContain('"8"');
  });

  it('writes a CommonJS package.json beside each handler, so a plain require() loads it inside a "type": "module" project; the zip has none', async () => {
    const dir = await fixture({ 'package.json': JSON.stringify({ name: 'esm-project', private: true, type: 'module' }), 'edge.ts': PIPELINE });
    const built = await edge(['build', 'edge.ts', '--target', 'lambda'], dir);
    expect(built.code, built.stderr + built.stdout).toBe(0);
    const out = join(dir, 'dist/edge/lambda');
    expect(JSON.parse(readFileSync(join(out, 'origin-request/package.json'), 'utf8'))).toEqual({ type: 'commonjs' });
    expect(Object.keys(unzipSync(readFileSync(join(out, 'origin-request.zip'))))).toEqual(['index.js']);
    const event = { Records: [{ cf: { config: { eventType: 'origin-request', requestId: 'r1' }, request: { clientIp: '1.2.3.4', method: 'GET', uri: '/', querystring: '', headers: {} } } }] };
    const script = `const { handler } = require('./dist/edge/lambda/origin-request/index.js');
handler(${JSON.stringify(event)}, {}).then((r) => console.log(JSON.stringify(r)));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { cwd: dir });
    expect(JSON.parse(stdout)).toMatchObject({ uri: '/', headers: { 'x-body-bytes': [{ key: 'x-body-bytes', value: '0' }] } });
  });

  it('edge run shows what the handler logs, and refuses a CloudFront Functions event, an event of another type or --runtime (exit 2)', async () => {
    const dir = await fixture({
      'edge.ts': `import { defineMiddleware, edge } from '@edgeline/core';
const noisy = defineMiddleware({ name: 'noisy', needs: [], request(ctx) { console.log('saw', ctx.request.uri); if (ctx.request.uri === '/boom') throw new Error('boom'); } });
export default edge().use(noisy);`,
      'event.json': JSON.stringify({ Records: [{ cf: { config: { eventType: 'viewer-request', requestId: 'r1' }, request: { clientIp: '1.2.3.4', method: 'GET', uri: '/hello', querystring: '', headers: {} } } }] }),
      'boom.json': JSON.stringify({ Records: [{ cf: { config: { eventType: 'viewer-request', requestId: 'r2' }, request: { clientIp: '1.2.3.4', method: 'GET', uri: '/boom', querystring: '', headers: {} } } }] }),
      'origin.json': JSON.stringify({ Records: [{ cf: { config: { eventType: 'origin-request', requestId: 'r3' }, request: { clientIp: '1.2.3.4', method: 'GET', uri: '/', querystring: '', headers: {} } } }] }),
      'cff.json': JSON.stringify({ version: '1.0', context: { eventType: 'viewer-request' }, viewer: { ip: '1.2.3.4' }, request: { method: 'GET', uri: '/', querystring: {}, headers: {}, cookies: {} } }),
    });
    const built = await edge(['build', 'edge.ts', '--target', 'lambda'], dir);
    expect(built.code, built.stderr + built.stdout).toBe(0);
    const artifact = 'dist/edge/lambda/viewer-request/index.js';
    const [ok, boom, cff, origin, runtime] = await Promise.all([
      edge(['run', artifact, '--event', 'event.json'], dir),
      edge(['run', artifact, '--event', 'boom.json'], dir),
      edge(['run', artifact, '--event', 'cff.json'], dir),
      edge(['run', artifact, '--event', 'origin.json'], dir),
      edge(['run', artifact, '--event', 'event.json', '--runtime', 'cloudfront-js-1.0'], dir),
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/index\.js: Lambda@Edge handler \(nodejs22\.x, viewer-request\), read from dist\/edge\/lambda\/manifest\.json/);
    expect(ok.stdout).toMatch(/logs:\n {2}saw \/hello\n/);
    // The middleware's error is answered (502) and logged by the handler: the log shows it.
    expect(boom.code, boom.stderr).toBe(0);
    expect(boom.stdout).toContain('"status": "502"');
    expect(boom.stdout).toMatch(/logs:\n {2}saw \/boom\n {2}\{.*"middleware":"noisy".*boom/);
    expect(cff.code).toBe(2);
    expect(cff.stderr).toMatch(/cff\.json is a CloudFront Functions event, but .*index\.js is a Lambda@Edge handler \(nodejs22\.x, viewer-request\): give it a Lambda@Edge event/);
    expect(cff.stderr).not.toMatch(/--runtime must/);
    expect(origin.code).toBe(2);
    expect(origin.stderr).toMatch(/origin\.json is an origin-request event, but .* give it a viewer-request event/);
    expect(runtime.code).toBe(2);
    expect(runtime.stderr).toMatch(/--runtime is for CloudFront Functions/);
  }, 120_000);
});
