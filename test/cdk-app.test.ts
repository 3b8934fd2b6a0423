import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './helpers';

const exec = promisify(execFile);

// Generous timeouts: a synth runs a build in a child process, slow on a busy machine (no time is asserted).
describe('examples/cdk-app', { timeout: 180_000 }, () => {
  it('synthesizes as the CDK CLI runs it (node app.mjs with CDK_OUTDIR): S3 origin, the site pipeline on the default behavior', async () => {
    const outdir = await mkdtemp(join(ROOT, 'test/.tmp/cdk-app-'));
    // What `npx cdk synth` does: run cdk.json's app in its folder with CDK_OUTDIR set.
    const app = JSON.parse(await readFile(join(ROOT, 'examples/cdk-app/cdk.json'), 'utf8')).app as string;
    expect(app).toBe('node app.mjs');
    await exec(process.execPath, ['app.mjs'], { cwd: join(ROOT, 'examples/cdk-app'), env: { ...process.env, CDK_OUTDIR: outdir } });
    const template = JSON.parse(await readFile(join(outdir, 'EdgelineSite.template.json'), 'utf8'));
    const resources = Object.values(template.Resources) as { Type: string; Properties: any }[];
    const functions = resources.filter((r) => r.Type === 'AWS::CloudFront::Function');
    expect(functions.map((f) => [f.Properties.Name, f.Properties.FunctionConfig.Runtime])).toEqual([
      ['site-viewer-request', 'cloudfront-js-2.0'], ['site-viewer-response', 'cloudfront-js-2.0'],
    ]);
    const distribution = resources.find((r) => r.Type === 'AWS::CloudFront::Distribution')!.Properties.DistributionConfig;
    expect(distribution.DefaultCacheBehavior.FunctionAssociations.map((a: { EventType: string }) => a.EventType)).toEqual(['viewer-request', 'viewer-response']);
    expect(distribution.Origins[0].S3OriginConfig).toBeDefined();
    expect(distribution.Origins[0].OriginAccessControlId).toBeDefined();
    expect(resources.some((r) => r.Type === 'AWS::S3::Bucket')).toBe(true);
  });
});
