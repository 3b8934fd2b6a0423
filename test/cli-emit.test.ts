import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { edge, fixture } from './helpers';

// Issue 16, without CDK: `--emit cloudformation` writes template.json beside the manifest, and
// the manifest carries what a deploy tool needs (cloudformation.ts has the template's own tests).
const PIPELINE = `
import { defineMiddleware, edge } from '@edgeline/core';
import { securityHeaders } from '@edgeline/middleware';
const bodySize = defineMiddleware({
  name: 'bodySize', needs: ['body'], runsAt: { request: ['origin-request'] },
  request(ctx) { ctx.request.headers.set('x-body-bytes', String(ctx.request.body ? ctx.request.body.data.length : 0)); },
});
export default edge().use(securityHeaders()).use(bodySize);
`;
const CF = `
import { edge } from '@edgeline/core';
import { securityHeaders } from '@edgeline/middleware';
export default edge().use(securityHeaders());
`;

describe('edge build --emit cloudformation', () => {
  it('writes template.json for Lambda@Edge, and deploy fields in the manifest', async () => {
    const dir = await fixture({ 'edge.ts': PIPELINE });
    const run = await edge(['build', 'edge.ts', '--target', 'lambda', '--emit', 'cloudformation'], dir);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const out = join(dir, 'dist/edge/lambda');
    const template = JSON.parse(readFileSync(join(out, 'template.json'), 'utf8'));
    const types = Object.values(template.Resources as Record<string, { Type: string }>).map((r) => r.Type);
    expect(types).toEqual(expect.arrayContaining(['AWS::Lambda::Function', 'AWS::Lambda::Version', 'AWS::IAM::Role']));
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    const request = manifest.artifacts.find((a: { eventType: string }) => a.eventType === 'origin-request');
    expect(request).toMatchObject({ handler: 'index.handler', timeoutSeconds: 30, memoryMb: 128, includeBody: true, runtime: 'nodejs22.x' });
    expect(typeof request.deadlineMs).toBe('number');
    expect(request.functionName).toMatch(/-origin-request$/);
  }, 120000);

  it('writes template.json for CloudFront Functions; --json prints the manifest with the same fields', async () => {
    const dir = await fixture({ 'edge.ts': CF });
    const run = await edge(['build', 'edge.ts', '--target', 'cf', '--emit', 'cloudformation', '--json'], dir);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const template = JSON.parse(readFileSync(join(dir, 'dist/edge/cf/template.json'), 'utf8'));
    const fn = Object.values(template.Resources as Record<string, { Type: string; Properties: { FunctionCode: string } }>).find((r) => r.Type === 'AWS::CloudFront::Function');
    expect(fn?.Properties.FunctionCode).toBe(readFileSync(join(dir, 'dist/edge/cf/viewer-response.js'), 'utf8'));
    const printed = JSON.parse(run.stdout);
    expect(printed.artifacts[0]).toMatchObject({ eventType: 'viewer-response', kvsKeys: [], functionName: expect.stringMatching(/-viewer-response$/) });
  }, 120000);

  it('is a usage error with an auto build or another format', async () => {
    const dir = await fixture({ 'edge.ts': CF });
    expect((await edge(['build', 'edge.ts', '--emit', 'cloudformation'], dir)).code).toBe(2);
    expect((await edge(['build', 'edge.ts', '--target', 'cf', '--emit', 'terraform'], dir)).code).toBe(2);
  }, 120000);
});
