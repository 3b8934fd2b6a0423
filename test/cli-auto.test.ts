import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { edge, fixture, ROOT } from './helpers';

// edge build with no --target (or --target auto): the plan, <out>/cf and <out>/lambda laid out
// as the single-target builds lay them out, and one manifest.json.
const GEO_DNS = `
import { edge } from '@edgeline/core';
import { geoRedirect, originSelect, securityHeaders } from '@edgeline/middleware';
export default edge()
  .use(securityHeaders())
  .use(geoRedirect({ countries: ['de', 'fr'] }))
  .use(originSelect({ dnsTxt: 'nearest.assets.example.com', default: { s3: { bucket: 'assets-us-east-1', region: 'us-east-1' } } }));
`;
const KVS = `
import { edge } from '@edgeline/core';
import { jwtVerify } from '@edgeline/middleware';
export default edge().use(jwtVerify({ algorithms: ['HS256'], secret: { kvs: 'jwt-secret' } }));
`;
const LOCAL_REQUIRE = `
import { defineMiddleware, edge } from '@edgeline/core';
export default edge().use(defineMiddleware({
  name: 'local', needs: [],
  request(ctx) { ctx.request.headers.set('x-answer', String(require('./answer.cjs').answer)); },
}));
`;

describe('edge build --target auto', () => {
  it('is the default: prints the plan with reasons and prices, writes cf/ and lambda/ and one manifest', async () => {
    const dir = await fixture({ 'edge.ts': GEO_DNS });
    // Left by an earlier single-target build in the same place: replaced by the one manifest.
    await mkdir(join(dir, 'dist/edge/cf'), { recursive: true });
    await writeFile(join(dir, 'dist/edge/cf/manifest.json'), '{}');
    const run = await edge(['build', 'edge.ts'], dir);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines.find((l) => l.includes('viewer-request  ->'))).toMatch(/CloudFront Function \(cloudfront-js-2\.0\): geoRedirect +\$0\.100 per 1M/);
    expect(lines.find((l) => l.includes('origin-request  ->'))).toMatch(/Lambda@Edge \(nodejs22\.x\): originSelect \(needs network: require\('dns'\)\) \[origin events run only on Lambda@Edge\] +\$0\.606 per 1M/);
    expect(lines.find((l) => l.includes('viewer-response ->'))).toMatch(/CloudFront Function \(cloudfront-js-2\.0\): securityHeaders/);
    expect(run.stdout).toMatch(/securityHeaders may run at origin-response or viewer-response/);
    expect(run.stdout).toMatch(/Estimates from public prices read \d{4}-\d\d-\d\d/);
    const out = join(dir, 'dist/edge');
    for (const f of ['cf/viewer-request.js', 'cf/viewer-response.js', 'lambda/origin-request/index.js', 'lambda/origin-request/package.json', 'lambda/origin-request.zip']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    expect(existsSync(join(out, 'cf/manifest.json'))).toBe(false);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.target).toBe('auto');
    expect(manifest.artifacts.map((a: any) => [a.file, a.target, a.runtime])).toEqual([
      ['cf/viewer-request.js', 'cf', 'cloudfront-js-2.0'],
      ['lambda/origin-request/index.js', 'lambda', 'nodejs22.x'],
      ['cf/viewer-response.js', 'cf', 'cloudfront-js-2.0'],
    ]);
    expect(manifest.artifacts[1].zipFile).toBe('lambda/origin-request.zip');
    expect(manifest.plan.events.map((e: any) => e.target)).toEqual(['cf', 'lambda', 'cf']);
    // edge run reads each artifact's kind from the one manifest.
    const ran = await edge(['run', 'dist/edge/cf/viewer-request.js', '--event', join(ROOT, 'examples/geo-redirect/events/cf/germany.json')], dir);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toMatch(/CloudFront Function \(cloudfront-js-2\.0, viewer-request\), read from dist\/edge\/manifest\.json/);
  });

  it('--json gives the plan as data; --runtime pins 1.0; only the folders used; stale artifacts go', async () => {
    const dir = await fixture({ 'edge.ts': GEO_DNS });
    await mkdir(join(dir, 'o/lambda/viewer-request'), { recursive: true });
    await writeFile(join(dir, 'o/lambda/viewer-request/index.js'), 'stale');
    const run = await edge(['build', 'edge.ts', '--target', 'auto', '--runtime', 'cloudfront-js-1.0', '--out', 'o', '--json'], dir);
    expect(run.code, run.stderr).toBe(0);
    const data = JSON.parse(run.stdout);
    expect(data.plan.events.map((e: any) => `${e.eventType} ${e.runtime}`)).toEqual(['viewer-request cloudfront-js-1.0', 'origin-request nodejs22.x', 'viewer-response cloudfront-js-1.0']);
    expect(data.plan.prices.read).toMatch(/^\d{4}-\d\d-\d\d$/);
    expect(data.plan.note).toMatch(/estimates/);
    expect(existsSync(join(dir, 'o/lambda/viewer-request'))).toBe(false);

    const cfOnly = await fixture({ 'edge.ts': `import { edge } from '@edgeline/core';\nimport { securityHeaders } from '@edgeline/middleware';\nexport default edge().use(securityHeaders());\n` });
    expect((await edge(['build', 'edge.ts'], cfOnly)).code).toBe(0);
    expect(existsSync(join(cfOnly, 'dist/edge/lambda'))).toBe(false);
    expect(existsSync(join(cfOnly, 'dist/edge/cf/viewer-response.js'))).toBe(true);
  });

  it('rejects a KVS pipeline on cloudfront-js-1.0, naming the middleware and both fixes, and writes nothing', async () => {
    const dir = await fixture({ 'edge.ts': KVS });
    const run = await edge(['build', 'edge.ts', '--runtime', 'cloudfront-js-1.0'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/middleware 'jwtVerify' needs 'kvs'/);
    expect(run.stderr).toMatch(/nor on Lambda@Edge: KeyValueStore is a CloudFront Functions feature/);
    expect(run.stderr).toMatch(/fix: use --runtime cloudfront-js-2\.0, or pass the value as an option/);
    expect(existsSync(join(dir, 'dist'))).toBe(false);
    expect((await edge(['build', 'edge.ts'], dir)).code).toBe(0);
  });

  it('moves a viewer event to Lambda@Edge when its CloudFront Function is refused, saying why', async () => {
    const dir = await fixture({ 'edge.ts': LOCAL_REQUIRE, 'answer.cjs': 'exports.answer = 42;\n' });
    const run = await edge(['build', 'edge.ts'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/viewer-request +-> Lambda@Edge \(nodejs22\.x\): local \(its CloudFront Function was refused: local: /);
    expect(existsSync(join(dir, 'dist/edge/lambda/viewer-request/index.js'))).toBe(true);
  });

  it('usage: --target takes auto, cf or lambda; --runtime and --node are checked', async () => {
    const dir = await fixture({ 'edge.ts': KVS });
    const bad = await edge(['build', 'edge.ts', '--target', 'azure'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--target must be auto, cf or lambda/);
    expect((await edge(['build', 'edge.ts', '--runtime', 'cloudfront-js-3.0'], dir)).code).toBe(2);
    expect((await edge(['build', 'edge.ts', '--node', 'nodejs20.x'], dir)).code).toBe(2);
    const help = await edge(['build', '--help'], dir);
    expect(help.stdout).toMatch(/--target auto\|cf\|lambda/);
  });
});
