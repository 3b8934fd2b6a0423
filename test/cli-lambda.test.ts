import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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
    expect(run.stdout).toMatch(/readsEnv/);
    expect(run.stdout).toMatch(/env/);
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
});
