import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { build } from '@edgeline/cli';
import { edge as pipeline } from '@edgeline/core';
import { jwtVerify } from '@edgeline/middleware';
import { cloudFormationTemplate, deployFields, kvsKeysOf, suggestedName, type CloudFormationTemplate } from '../packages/cli/src/cloudformation';
import { fixture } from './helpers';

/**
 * CfnInclude turns each resource into its L1 class, whose parser knows the CloudFormation
 * specification's properties and types: synthesizing checks every value offline, and a property
 * the specification lacks is kept only as a raw override, which is refused here.
 */
async function include(template: object, parameters: Record<string, string> = {}) {
  const dir = await fixture({ 'template.json': JSON.stringify(template) });
  const app = new App();
  const stack = new Stack(app, 'Edge', { env: { region: 'us-east-1', account: '123456789012' } });
  const included = new CfnInclude(stack, 'Template', { templateFile: join(dir, 'template.json'), parameters });
  for (const id of Object.keys((template as CloudFormationTemplate).Resources)) {
    const resource = included.getResource(id) as unknown as { constructor: { name: string }; rawOverrides: object };
    expect(resource.constructor.name, id).not.toBe('CfnResource');
    expect(resource.rawOverrides, `${id}: properties the specification lacks`).toEqual({});
  }
  return Template.fromStack(stack);
}

const SITE = join(__dirname, '../examples/site/edge.ts');

describe('edge build --emit cloudformation: template.json', { timeout: 120_000 }, () => {
  it('CloudFront Functions: code inline, runtime, an output per function', async () => {
    const dir = await fixture({});
    const { result } = await build({ entry: SITE, target: 'cf', runtime: 'cloudfront-js-2.0', out: join(dir, 'cf') });
    if (!result.ok) throw new Error('site did not build');
    const template = cloudFormationTemplate(result, { entry: 'examples/site/edge.ts' });
    expect(template.Parameters.FunctionNamePrefix.Default).toBe('site');
    expect(template.Parameters.KeyValueStoreArn).toBeUndefined();
    const synth = await include(template);
    for (const a of result.artifacts) {
      synth.hasResourceProperties('AWS::CloudFront::Function', { FunctionCode: a.code, AutoPublish: true, FunctionConfig: { Runtime: 'cloudfront-js-2.0' } });
    }
    expect(Object.keys(template.Outputs)).toEqual(['ViewerRequestFunctionArn', 'ViewerResponseFunctionArn']);
  });

  it('a KeyValueStore reader: the store\'s ARN as a parameter, associated, and the keys read', async () => {
    const jwt = pipeline().use(jwtVerify({ algorithms: ['HS256'], secret: { kvs: 'jwt-secret' }, issuer: 'https://auth.example.com' }));
    expect(kvsKeysOf(jwt)).toEqual(['jwt-secret']);
    const dir = await fixture({
      'edge.ts': `import { edge } from '@edgeline/core';\nimport { jwtVerify } from '@edgeline/middleware';\n` +
        `export default edge().use(jwtVerify({ algorithms: ['HS256'], secret: { kvs: 'jwt-secret' }, issuer: 'https://auth.example.com' }));\n`,
    });
    const { result } = await build({ entry: join(dir, 'edge.ts'), target: 'cf', runtime: 'cloudfront-js-2.0', out: join(dir, 'out') });
    if (!result.ok) throw new Error('jwt did not build');
    const template = cloudFormationTemplate(result, { entry: 'auth/edge.ts', kvsKeys: kvsKeysOf(jwt) });
    expect(template.Parameters.KeyValueStoreArn.Description).toMatch(/keys: jwt-secret/);
    expect(template.Metadata.Edgeline.functions[0]).toMatchObject({ eventType: 'viewer-request', functionName: 'auth-viewer-request', kvsKeys: ['jwt-secret'] });
    const synth = await include(template, { KeyValueStoreArn: 'arn:aws:cloudfront::123456789012:key-value-store/0f3b2c1a-1111-2222-3333-444455556666' });
    synth.hasResourceProperties('AWS::CloudFront::Function', {
      FunctionConfig: { KeyValueStoreAssociations: [{ KeyValueStoreARN: 'arn:aws:cloudfront::123456789012:key-value-store/0f3b2c1a-1111-2222-3333-444455556666' }] },
    });
  });

  it('Lambda@Edge: function, version (SHA-256 of the zip), role, the zips as parameters, us-east-1 only', async () => {
    const dir = await fixture({
      'edge.ts': `import { defineMiddleware, edge } from '@edgeline/core';
export default edge().use(defineMiddleware({
  name: 'bodySize', needs: ['body'], runsAt: { request: ['origin-request'] },
  request(ctx) { ctx.request.headers.set('x-body-bytes', String(ctx.request.body ? ctx.request.body.data.length : 0)); },
}));
`,
    });
    const { result } = await build({ entry: join(dir, 'edge.ts'), target: 'lambda', out: join(dir, 'out') });
    if (!result.ok) throw new Error('did not build');
    const template = cloudFormationTemplate(result, { name: 'upload' });
    expect(template.Parameters.OriginRequestCodeKey.Default).toBe('origin-request.zip');
    expect(template.Outputs.OriginRequestVersionArn.Description).toMatch(/EventType: origin-request, LambdaFunctionARN: this, IncludeBody: true/);
    expect(deployFields(result.artifacts[0], { name: 'upload' })).toEqual({
      eventType: 'origin-request', runtime: 'nodejs22.x', functionName: 'upload-origin-request',
      handler: 'index.handler', timeoutSeconds: 30, memoryMb: 128, deadlineMs: 0, includeBody: true,
    });
    const synth = await include(template, { CodeBucket: 'my-artifacts' });
    synth.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler', Runtime: 'nodejs22.x', Timeout: 30, MemorySize: 128,
      // A parameter given is substituted; one left at its default stays a Ref.
      Code: { S3Bucket: 'my-artifacts', S3Key: { Ref: 'OriginRequestCodeKey' } },
    });
    synth.hasResourceProperties('AWS::Lambda::Version', { CodeSha256: Match.stringLikeRegexp('^[A-Za-z0-9+/]{43}=$') });
    synth.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: ['lambda.amazonaws.com', 'edgelambda.amazonaws.com'] } }] },
    });
    expect(JSON.stringify(synth.toJSON().Rules)).toMatch(/us-east-1/);
  });

  it('the check catches a property the specification lacks', async () => {
    const template = { Resources: { F: { Type: 'AWS::Lambda::Version', Properties: { FunctionName: 'x', Timeoutt: 3 } } } };
    await expect(include(template)).rejects.toThrow(/properties the specification lacks/);
  });

  it('names functions after the entry', () => {
    expect(suggestedName('examples/site/edge.ts')).toBe('site');
    expect(suggestedName('src/auth gate.ts')).toBe('auth-gate');
    expect(suggestedName(undefined)).toBe('edgeline');
  });
});
