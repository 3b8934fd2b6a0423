import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { cliPackage, here } from './version.js';

/** Tools the project's tests and type check use, pinned as this repository pins them. */
const TOOLS = { '@types/node': '^20.19.0', typescript: '~5.9.3', vitest: '^4.1.12' } as const;

/** What `edge init --cdk` adds to the dev dependencies besides @edgeline/cdk: the CDK library, constructs and the CDK CLI. */
const CDK_TOOLS = { 'aws-cdk': '^2', 'aws-cdk-lib': '^2.276.0', constructs: '^10' } as const;

/** What `edge init` may add to the starter project. */
export interface InitOptions {
  /** Also a deployable AWS CDK app: cdk.json, cdk/app.mjs, @edgeline/cdk and the CDK packages, scripts synth and deploy. */
  cdk?: boolean;
}

/**
 * The files `edge init` writes, by path relative to the project folder: a pipeline
 * (securityHeaders and a small custom middleware), its test with @edgeline/core/testing, sample
 * events for `edge run`, and package.json scripts `build` (type-checked) and `test`. With `cdk`,
 * also `cdk.json` and `cdk/app.mjs` (an S3 bucket behind a CloudFront distribution, the pipeline
 * on its default behavior with @edgeline/cdk), their dev dependencies and scripts `synth` and `deploy`.
 */
export function projectFiles(name: string, options: InitOptions = {}): Record<string, string> {
  const range = (pkg: string) => `^${packageVersion(pkg)}`;
  const pkg = {
    name,
    version: '0.0.0',
    private: true,
    type: 'module',
    scripts: {
      build: 'edge build edge.ts --target cf --typecheck',
      test: 'vitest run',
      ...(options.cdk ? { synth: 'cdk synth', deploy: 'cdk deploy' } : {}),
    },
    dependencies: {
      '@edgeline/core': range('@edgeline/core'),
      '@edgeline/middleware': range('@edgeline/middleware'),
    },
    devDependencies: {
      '@edgeline/cli': range('@edgeline/cli'),
      ...(options.cdk ? { '@edgeline/cdk': range('@edgeline/cdk') } : {}),
      ...TOOLS,
      ...(options.cdk ? CDK_TOOLS : {}),
    },
  };
  const tsconfig = {
    compilerOptions: {
      target: 'es2022',
      module: 'preserve',
      moduleResolution: 'bundler',
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      isolatedModules: true,
      types: ['node'],
    },
    include: ['*.ts', 'src/**/*.ts'],
  };
  const files: Record<string, string> = {
    'package.json': json(pkg),
    'tsconfig.json': json(tsconfig),
    'edge.ts': EDGE_TS,
    'edge.test.ts': EDGE_TEST_TS,
    'events/viewer-request.json': json(viewerEvent('viewer-request', '/docs/')),
    'events/viewer-response.json': json(viewerEvent('viewer-response', '/docs/index.html')),
    '.gitignore': 'node_modules/\ndist/\n',
  };
  if (options.cdk) {
    files['cdk.json'] = json({ app: 'node cdk/app.mjs' });
    files['cdk/app.mjs'] = CDK_APP_MJS;
    files['.gitignore'] += 'cdk.out/\n';
  }
  return files;
}

/**
 * Writes a new project into `dir` (created if missing). Refuses, writing nothing, when any of
 * its files is already there: returns the ones that are.
 */
export async function initProject(dir: string, options: InitOptions = {}): Promise<{ written: string[]; existing: string[] }> {
  const root = resolve(dir);
  const files = projectFiles(packageName(root), options);
  const existing = Object.keys(files).filter((f) => existsSync(join(root, f)));
  if (existing.length) return { written: [], existing };
  const written: string[] = [];
  for (const [file, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, file)), { recursive: true });
    await writeFile(join(root, file), text, { flag: 'wx' });
    written.push(file);
  }
  return { written, existing: [] };
}

/** An npm package name from the folder's name. */
function packageName(root: string): string {
  const name = basename(root).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+|-+$/g, '');
  return name || 'edge-app';
}

/** The installed version of an Edgeline package beside this CLI; the CLI's own when it is not installed (they are released together). */
function packageVersion(name: string): string {
  const own = cliPackage();
  if (name === own.name) return own.version;
  try {
    const file = createRequire(join(here(), 'noop.js')).resolve(`${name}/package.json`);
    const version = (JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version;
    if (typeof version === 'string') return version;
  } catch {
    // not installed here, or its package.json is not exported
  }
  return own.version;
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

function viewerEvent(eventType: 'viewer-request' | 'viewer-response', uri: string): object {
  const event: Record<string, unknown> = {
    version: '1.0',
    context: { distributionDomainName: 'd111111abcdef8.cloudfront.net', distributionId: 'EDFDVBD6EXAMPLE', eventType, requestId: 'req-1' },
    viewer: { ip: '198.51.100.11' },
    request: { method: 'GET', uri, querystring: {}, headers: { host: { value: 'd111111abcdef8.cloudfront.net' } }, cookies: {} },
  };
  if (eventType === 'viewer-response') {
    event.response = { statusCode: 200, statusDescription: 'OK', headers: { 'content-type': { value: 'text/html' } }, cookies: {} };
  }
  return event;
}

const EDGE_TS = `import { defineMiddleware, edge } from '@edgeline/core';
import { securityHeaders } from '@edgeline/middleware';

/**
 * Serves a folder's index page: /docs/ becomes /docs/index.html, as a static site on S3 needs.
 * Hooks run at the edge as source text: they use ctx, config and globals, and nothing from the
 * scope around them, so values go in \`config\`.
 */
export const indexPage = defineMiddleware({
  name: 'indexPage',
  needs: [],
  config: { index: 'index.html' },
  request(ctx, config) {
    const uri = ctx.request.uri;
    if (uri.charAt(uri.length - 1) === '/') ctx.request.uri = uri + config.index;
  },
});

// npm run build       -> dist/edge/cf/viewer-request.js, viewer-response.js, manifest.json
// edge build edge.ts --target lambda   builds it for Lambda@Edge instead.
export default edge().use(securityHeaders()).use(indexPage);
`;

const EDGE_TEST_TS = `import { describe, expect, it } from 'vitest';
import { runPipeline, viewerRequest, viewerResponse } from '@edgeline/core/testing';
import pipeline from './edge';

describe('edge.ts', () => {
  it('serves a folder as its index.html', async () => {
    const out = await runPipeline(pipeline, viewerRequest({ uri: '/docs/' }));
    expect(out.kind).toBe('forward');
    if (out.kind === 'forward') expect(out.request.uri).toBe('/docs/index.html');
  });

  it('leaves a file as it is', async () => {
    const out = await runPipeline(pipeline, viewerRequest({ uri: '/docs/guide.html' }));
    expect(out.kind === 'forward' && out.request.uri).toBe('/docs/guide.html');
  });

  it('adds the security headers to every response', async () => {
    const out = await runPipeline(pipeline, viewerResponse({ uri: '/docs/index.html', status: 200 }));
    expect(out.kind).toBe('response');
    if (out.kind === 'response') {
      expect(out.response.headers['strict-transport-security']).toBeDefined();
      expect(out.response.headers['x-content-type-options']).toEqual(['nosniff']);
    }
  });
});
`;

const CDK_APP_MJS = `// The AWS CDK app cdk.json runs: an S3 bucket (private, read by CloudFront through Origin Access
// Control) behind a CloudFront distribution, with the pipeline of edge.ts built at synth time and
// attached to the default behavior (target 'auto': each event type as a CloudFront Function or a
// Lambda@Edge function, wherever it is cheapest to run).
//
//   npm run synth        (cdk synth: writes cdk.out/)
//   npm run deploy       (cdk deploy: needs AWS credentials, and \`npx cdk bootstrap\` once per account)
//
// Then put the site in the bucket: aws s3 sync ./public s3://<Bucket output>
import { fileURLToPath } from 'node:url';
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EdgelineBehavior } from '@edgeline/cdk';

class EdgeStack extends Stack {
  constructor(scope, id, props) {
    super(scope, id, props);
    const bucket = new s3.Bucket(this, 'Content', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
    });
    // edge.ts beside cdk/, found from this file wherever the app is run from.
    const entry = fileURLToPath(new URL('../edge.ts', import.meta.url));
    const edge = new EdgelineBehavior(this, 'Edge', { entry, target: 'auto' });
    const distribution = new cloudfront.Distribution(this, 'Site', {
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        ...edge.behaviorOptions,
      },
    });
    new CfnOutput(this, 'DomainName', { value: distribution.distributionDomainName });
    new CfnOutput(this, 'Url', { value: \`https://\${distribution.distributionDomainName}\` });
    new CfnOutput(this, 'Bucket', { value: bucket.bucketName });
  }
}

const app = new App();
// us-east-1 unless EDGE_REGION says otherwise: Lambda@Edge functions live there, so the stack
// holds them itself (elsewhere CDK puts them in a stack of their own, which needs an account).
new EdgeStack(app, app.node.tryGetContext('stackName') ?? 'EdgeStack', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.EDGE_REGION ?? 'us-east-1' },
});
app.synth();
`;
