import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { defineMiddleware, edge as pipeline } from '@edgeline/core';
import { geoRedirect, jwtVerify, originSelect } from '@edgeline/middleware';
import { EdgelineBehavior, EdgelineBuildError, type EdgelineBehaviorProps } from '@edgeline/cdk';
import site from '../examples/site/edge';
import { edge, fixture } from './helpers';

// Offline: Template.fromStack synthesizes in memory; assets are staged, never uploaded.
function synth(props: EdgelineBehaviorProps | ((stack: Stack) => EdgelineBehaviorProps), region = 'us-east-1') {
  const app = new App();
  const stack = new Stack(app, 'Site', { env: { region, account: '123456789012' } });
  const behavior = new EdgelineBehavior(stack, 'Edge', typeof props === 'function' ? props(stack) : props);
  const bucket = new s3.Bucket(stack, 'Bucket');
  new cloudfront.Distribution(stack, 'Cdn', {
    defaultBehavior: { origin: origins.S3BucketOrigin.withOriginAccessControl(bucket), ...behavior.behaviorOptions },
  });
  return { app, stack, behavior, template: Template.fromStack(stack) };
}

const bodySize = defineMiddleware({
  name: 'bodySize', needs: ['body'], runsAt: { request: ['origin-request'] },
  request(ctx) { ctx.request.headers.set('x-body-bytes', String(ctx.request.body ? ctx.request.body.data.length : 0)); },
});
const stamp = defineMiddleware({
  name: 'stamp', needs: [], config: { value: 'edgeline' },
  runsAt: { response: ['origin-response', 'viewer-response'] },
  response(ctx, config) { ctx.response.headers.set('x-served-by', config.value); },
});

describe('EdgelineBehavior: CloudFront Functions', { timeout: 180_000 }, () => {
  it('creates one function per artifact with the code edge build writes, and the associations', () => {
    const { behavior, template } = synth({ entry: 'examples/site/edge.ts', target: 'cf' });
    template.resourceCountIs('AWS::CloudFront::Function', 2);
    for (const eventType of ['viewer-request', 'viewer-response']) {
      const code = readFileSync(join(behavior.build.out, `${eventType}.js`), 'utf8');
      template.hasResourceProperties('AWS::CloudFront::Function', {
        FunctionCode: code, AutoPublish: true,
        FunctionConfig: { Runtime: 'cloudfront-js-2.0', Comment: Match.stringLikeRegexp(`^Edgeline ${eventType}: `), KeyValueStoreAssociations: Match.absent() },
      });
    }
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: {
        DefaultCacheBehavior: {
          FunctionAssociations: [
            { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EdgeViewerRequest'), 'FunctionARN'] } },
            { EventType: 'viewer-response', FunctionARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EdgeViewerResponse'), 'FunctionARN'] } },
          ],
          LambdaFunctionAssociations: Match.absent(),
        },
      },
    });
  });

  it('builds a pipeline object as it builds the entry that exports it', () => {
    const fromEntry = synth({ entry: 'examples/site/edge.ts', target: 'cf', runtime: 'cloudfront-js-2.0' }).template.findResources('AWS::CloudFront::Function');
    const fromObject = synth({ pipeline: site, target: 'cf', runtime: 'cloudfront-js-2.0', functionName: 'site' }).template.findResources('AWS::CloudFront::Function');
    const code = (r: Record<string, any>) => Object.values(r).map((f) => [f.Properties.FunctionConfig.Runtime, f.Properties.FunctionCode]);
    expect(code(fromObject)).toEqual(code(fromEntry));
    expect(Object.values(fromObject).map((f: any) => f.Properties.Name)).toEqual(['site-viewer-request', 'site-viewer-response']);
  });

  it('associates the KeyValueStore with a cloudfront-js-2.0 function that reads it, and requires one', () => {
    const jwt = pipeline().use(jwtVerify({ algorithms: ['HS256'], secret: { kvs: 'jwt-secret' }, issuer: 'https://auth.example.com' }));
    const { template } = synth((stack) => ({
      pipeline: jwt, target: 'cf', runtime: 'cloudfront-js-2.0', keyValueStore: new cloudfront.KeyValueStore(stack, 'Keys'),
    }));
    template.resourceCountIs('AWS::CloudFront::KeyValueStore', 1);
    template.hasResourceProperties('AWS::CloudFront::Function', {
      FunctionConfig: {
        Runtime: 'cloudfront-js-2.0',
        KeyValueStoreAssociations: [{ KeyValueStoreARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Keys'), 'Arn'] } }],
      },
    });
    expect(() => synth({ pipeline: jwt, target: 'cf', runtime: 'cloudfront-js-2.0' })).toThrow(/reads a KeyValueStore \(jwtVerify\): pass keyValueStore/);
  });
});

describe('EdgelineBehavior: Lambda@Edge', { timeout: 180_000 }, () => {
  const origin = pipeline().use(stamp).use(bodySize);

  it('creates an EdgeFunction per artifact: index.handler, the runtime built, 30 s at origin events, 128 MB; includeBody where the body is read', () => {
    const { template } = synth({ pipeline: origin, target: 'lambda', node: 'nodejs24.x' });
    template.resourceCountIs('AWS::Lambda::Function', 2);
    template.allResourcesProperties('AWS::Lambda::Function', { Handler: 'index.handler', Runtime: 'nodejs24.x', Timeout: 30, MemorySize: 128 });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'edgelambda.amazonaws.com' } })]) },
    });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: {
        DefaultCacheBehavior: {
          LambdaFunctionAssociations: [
            { EventType: 'origin-request', IncludeBody: true, LambdaFunctionARN: { Ref: Match.stringLikeRegexp('^EdgeOriginRequestFnCurrentVersion') } },
            { EventType: 'origin-response', LambdaFunctionARN: { Ref: Match.stringLikeRegexp('^EdgeOriginResponseFnCurrentVersion') } },
          ],
          FunctionAssociations: Match.absent(),
        },
      },
    });
  });

  it('keeps the timeout above the deadline built into a handler whose hooks wait, and within the trigger\'s limit', () => {
    const waits = pipeline().use(defineMiddleware({
      name: 'waits', needs: ['async'], runsAt: { request: ['origin-request'] },
      async request(ctx) { await Promise.resolve(); ctx.request.headers.set('x-waited', '1'); },
    }));
    expect(() => synth({ pipeline: waits, target: 'lambda', timeout: Duration.seconds(10) })).toThrow(/timeout 10 s is not above the 29000 ms deadline built into the origin-request handler/);
    expect(() => synth({ pipeline: waits, target: 'lambda', timeout: Duration.seconds(31) })).toThrow(/at most 30 s/);
    const viewer = pipeline().use(defineMiddleware({ name: 'poweredBy', needs: [], response(ctx) { ctx.response.headers.set('x-powered-by', 'edgeline'); } }));
    expect(() => synth({ pipeline: viewer, target: 'lambda', memorySize: 512 })).toThrow(/memorySize 512 MB: the viewer-response function runs at a viewer event/);
  });
});

describe('EdgelineBehavior: target auto', { timeout: 180_000 }, () => {
  // A bucket name of 3 to 63 characters, as originSelect requires.
  const geoDns = pipeline()
    .use(geoRedirect({ countries: ['de', 'fr'] }))
    .use(originSelect({ dnsTxt: 'nearest.assets.example.com', default: { s3: { bucket: 'assets-us-east-1', region: 'us-east-1' } } }));

  it('puts a CloudFront Function at viewer-request and Lambda@Edge at origin-request, with both associations on the behavior', () => {
    const { behavior, template } = synth({ pipeline: geoDns, target: 'auto' });
    expect(behavior.build.artifacts.map((a) => [a.eventType, a.target, a.runtime])).toEqual([
      ['viewer-request', 'cf', 'cloudfront-js-2.0'], ['origin-request', 'lambda', 'nodejs22.x'],
    ]);
    template.resourceCountIs('AWS::CloudFront::Function', 1);
    template.hasResourceProperties('AWS::CloudFront::Function', {
      FunctionCode: readFileSync(join(behavior.build.out, 'cf/viewer-request.js'), 'utf8'), AutoPublish: true,
      FunctionConfig: { Runtime: 'cloudfront-js-2.0', Comment: Match.stringLikeRegexp('^Edgeline viewer-request: geoRedirect'), KeyValueStoreAssociations: Match.absent() },
    });
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler', Runtime: 'nodejs22.x', Timeout: 30, MemorySize: 128, Description: Match.stringLikeRegexp('^Edgeline origin-request: originSelect'),
    });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: {
        DefaultCacheBehavior: {
          FunctionAssociations: [
            { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EdgeViewerRequest'), 'FunctionARN'] } },
          ],
          LambdaFunctionAssociations: [
            { EventType: 'origin-request', LambdaFunctionARN: { Ref: Match.stringLikeRegexp('^EdgeOriginRequestFnCurrentVersion') } },
          ],
        },
      },
    });
    expect(Object.keys(behavior.functions)).toEqual(['viewer-request']);
    expect(Object.keys(behavior.edgeFunctions)).toEqual(['origin-request']);
  });

  it('takes the runtime of the CloudFront Functions and the Lambda@Edge props; an all-cf pipeline gets no edgeLambdas', () => {
    const { template } = synth({ pipeline: geoDns, target: 'auto', runtime: 'cloudfront-js-1.0', node: 'nodejs24.x', functionName: 'geo' });
    template.hasResourceProperties('AWS::CloudFront::Function', { Name: 'geo-viewer-request', FunctionConfig: { Runtime: 'cloudfront-js-1.0' } });
    template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'geo-origin-request', Runtime: 'nodejs24.x' });
    const cfOnly = synth({ entry: 'examples/site/edge.ts', target: 'auto' }).template;
    cfOnly.resourceCountIs('AWS::CloudFront::Function', 2);
    cfOnly.resourceCountIs('AWS::Lambda::Function', 0);
    cfOnly.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: { DefaultCacheBehavior: { FunctionAssociations: Match.arrayWith([Match.objectLike({ EventType: 'viewer-request' })]), LambdaFunctionAssociations: Match.absent() } },
    });
  });

  it('fails the synth with the violations of a rejected plan, as edge build --target auto prints them', async () => {
    const dir = await fixture({
      'edge.ts': `import { edge } from '@edgeline/core';
import { jwtVerify } from '@edgeline/middleware';
export default edge().use(jwtVerify({ algorithms: ['HS256'], secret: { kvs: 'jwt-secret' } }));
`,
    });
    const cli = await edge(['build', 'edge.ts', '--target', 'auto', '--runtime', 'cloudfront-js-1.0'], dir);
    expect(cli.code).toBe(1);
    let error: unknown;
    try {
      synth({ entry: join(dir, 'edge.ts'), target: 'auto', runtime: 'cloudfront-js-1.0' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EdgelineBuildError);
    expect((error as EdgelineBuildError).code).toBe('ERR_EDGE_REJECTED');
    expect(new Set((error as EdgelineBuildError).violations.map((v) => v.middleware))).toEqual(new Set(['jwtVerify']));
    expect((error as Error).message).toBe(cli.stderr.trim());
    expect((error as Error).message).toMatch(/middleware 'jwtVerify' needs 'kvs'/);
  });
});

describe('EdgelineBehavior: log retention', { timeout: 180_000 }, () => {
  it('sets it where the functions log, in us-east-1, from a stack elsewhere too', () => {
    const cf = synth({ entry: 'examples/site/edge.ts', target: 'cf', functionName: 'site', logRetention: logs.RetentionDays.ONE_WEEK }, 'eu-west-1');
    cf.template.hasResourceProperties('Custom::LogRetention', { LogGroupName: '/aws/cloudfront/function/site-viewer-request', RetentionInDays: 7, LogGroupRegion: 'us-east-1' });
    const le = synth({ pipeline: site, target: 'lambda', logRetention: logs.RetentionDays.ONE_WEEK }, 'eu-west-1');
    // EdgeFunction puts the functions in a us-east-1 stack of their own: the retention goes with them.
    const edgeStack = le.app.node.children.find((c) => c instanceof Stack && c.region === 'us-east-1') as Stack;
    const functions = Template.fromStack(edgeStack);
    functions.resourceCountIs('Custom::LogRetention', 2);
    functions.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler', Timeout: 5, MemorySize: 128 });
    le.template.resourceCountIs('AWS::Lambda::Function', 1); // the reader of the functions' ARNs across regions
  });
});

describe('EdgelineBehavior: a rejected pipeline', { timeout: 180_000 }, () => {
  it('fails the synth with what edge build prints, naming the middleware', async () => {
    const dir = await fixture({
      'edge.ts': `import { defineMiddleware, edge } from '@edgeline/core';
export default edge().use(defineMiddleware({ name: 'bodySize', needs: ['body'], request(ctx) { ctx.request.headers.set('x-n', String(ctx.request.body ? 1 : 0)); } }));
`,
    });
    const cli = await edge(['build', 'edge.ts', '--target', 'cf'], dir);
    expect(cli.code).toBe(1);
    let error: unknown;
    try {
      synth({ entry: join(dir, 'edge.ts'), target: 'cf' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EdgelineBuildError);
    expect((error as EdgelineBuildError).code).toBe('ERR_EDGE_REJECTED');
    expect((error as EdgelineBuildError).violations.map((v) => v.middleware)).toEqual(['bodySize']);
    expect((error as Error).message).toBe(cli.stderr.trim());
    expect((error as Error).message).toMatch(/middleware 'bodySize' needs 'body'/);
  });

  it('names a broken entry as edge build does', () => {
    expect(() => synth({ entry: 'no/such/edge.ts', target: 'cf' })).toThrow(/^edge: entry .*no\/such\/edge\.ts does not exist/);
  });
});
