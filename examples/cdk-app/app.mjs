// A complete CDK app: an S3 bucket behind a CloudFront distribution, with the site pipeline
// (examples/site/edge.ts) built at synth time and attached to the default behavior.
//
//   npx cdk synth                      (cdk.json runs this file; CloudFront Functions)
//   npx cdk synth -c target=lambda     (Lambda@Edge; the stack is then in us-east-1)
//   node examples/cdk-app/app.mjs      (no CDK CLI: writes dist/examples/cdk-app/cdk.out)
import { fileURLToPath } from 'node:url';
import { App, CfnOutput, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EdgelineBehavior } from '@edgeline/cdk';

// Under the CDK CLI, CDK_OUTDIR says where to write; without it, a folder of the repository's dist.
const app = new App(process.env.CDK_OUTDIR ? {} : { outdir: 'dist/examples/cdk-app/cdk.out' });
const target = app.node.tryGetContext('target') ?? 'cf';
if (target !== 'cf' && target !== 'lambda') throw new Error(`-c target= takes cf or lambda (got ${target})`);

class SiteStack extends Stack {
  constructor(scope, id, props) {
    super(scope, id, props);
    const bucket = new s3.Bucket(this, 'Content', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });
    // The entry is found from this file, wherever the app is run from.
    const entry = fileURLToPath(new URL('../site/edge.ts', import.meta.url));
    const edge = new EdgelineBehavior(this, 'Edge', target === 'cf'
      ? { entry, target: 'cf', runtime: 'cloudfront-js-2.0', functionName: 'site' }
      : { entry, target: 'lambda', functionName: 'site' });
    const distribution = new cloudfront.Distribution(this, 'Site', {
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        // cacheKeyFromBasicAuth puts a per-user header in the cache key: the policy must include it.
        cachePolicy: new cloudfront.CachePolicy(this, 'PerUser', {
          headerBehavior: cloudfront.CacheHeaderBehavior.allowList('username-cache-key'),
        }),
        ...edge.behaviorOptions,
      },
    });
    new CfnOutput(this, 'Url', { value: `https://${distribution.distributionDomainName}` });
    new CfnOutput(this, 'Bucket', { value: bucket.bucketName });
  }
}

// Lambda@Edge functions live in us-east-1: a stack elsewhere needs an account to put them in a stack of their own.
new SiteStack(app, 'EdgelineSite', target === 'lambda' ? { env: { region: 'us-east-1' } } : {});
const assembly = app.synth();
console.log(`synthesized ${assembly.stacks.map((s) => s.templateFile).join(', ')} in ${assembly.directory}`);
