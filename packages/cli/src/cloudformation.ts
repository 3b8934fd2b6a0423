import { createHash } from 'node:crypto';
import { basename, dirname, extname, resolve } from 'node:path';
import { PROFILES, type Artifact, type BuildResult, type Capability, type EventType, type Pipeline } from '@edgeline/core';
import { defaultDeadlineMs } from '@edgeline/lambda-target';

/**
 * What `edge build --emit cloudformation` writes to `<out>/template.json`, and the fields
 * manifest.json gives a deploy tool. Pure: from a build result to plain objects.
 */

type Built = Extract<BuildResult, { ok: true }>;

/** A CloudFormation template as JSON. */
export interface CloudFormationTemplate {
  AWSTemplateFormatVersion: '2010-09-09';
  Description: string;
  Metadata: { Edgeline: { entry?: string; target: 'cf' | 'lambda'; functions: DeployFields[] } };
  Parameters: Record<string, Record<string, unknown>>;
  Rules?: Record<string, unknown>;
  Resources: Record<string, { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] }>;
  Outputs: Record<string, { Description: string; Value: unknown; Export: { Name: unknown } }>;
}

/** What a deploy tool needs of one artifact beyond its file: manifest.json's fields for it. */
export interface DeployFields {
  eventType: EventType;
  /** `cloudfront-js-1.0`, `cloudfront-js-2.0`, `nodejs22.x` or `nodejs24.x`. */
  runtime: string;
  /** A name for the function: `<project>-<event type>`, at most 64 of [A-Za-z0-9_-]. */
  functionName: string;
  /** Lambda@Edge only: the handler, `index.handler`. */
  handler?: string;
  /** Lambda@Edge only: the trigger's limit, 5 at viewer events, 30 at origin events. */
  timeoutSeconds?: number;
  /** Lambda@Edge only: 128 (the most a viewer trigger may have). */
  memoryMb?: number;
  /** Lambda@Edge only: how long hooks that wait may take before the handler answers without them; 0 when no hook waits. The timeout must be above it. */
  deadlineMs?: number;
  /** Lambda@Edge request events only: the association must say includeBody. */
  includeBody?: boolean;
  /** CloudFront Functions only: the KeyValueStore keys its middleware read (empty: it reads none). */
  kvsKeys?: string[];
}

export interface CloudFormationOptions {
  /** The entry built, for the metadata and the default function names. */
  entry?: string;
  /** Function names are `<name>-<event type>` (a parameter's default); default from the entry. */
  name?: string;
  /** The KeyValueStore keys the pipeline reads (kvsKeysOf), for the parameter's description and the metadata. */
  kvsKeys?: string[];
}

const PASCAL = (e: string) => e.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join('');

/**
 * The template for a build: `AWS::CloudFront::Function` per CloudFront Function (code inline,
 * runtime, the KeyValueStore as a parameter when a function reads one), or `AWS::Lambda::Function`
 * + `AWS::Lambda::Version` per Lambda@Edge handler with one execution role (code from a bucket
 * and key given as parameters: upload `<event type>.zip`; the version checks its SHA-256, so a
 * rebuilt zip publishes a new version), and an output per function to attach to a distribution.
 * @example
 * const template = cloudFormationTemplate(result, { entry: 'edge.ts' });
 * await writeFile(join(out, 'template.json'), JSON.stringify(template, null, 2) + '\n');
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudfront-function.html
 */
export function cloudFormationTemplate(result: Built, options: CloudFormationOptions = {}): CloudFormationTemplate {
  const name = options.name ?? suggestedName(options.entry);
  const fields = result.artifacts.map((a) => deployFields(a, { ...options, name }));
  const template: CloudFormationTemplate = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `Edgeline ${result.target === 'cf' ? 'CloudFront Functions' : 'Lambda@Edge functions'}${options.entry ? ` built from ${options.entry}` : ''}`,
    Metadata: { Edgeline: { ...(options.entry ? { entry: options.entry } : {}), target: result.target, functions: fields } },
    Parameters: {
      FunctionNamePrefix: {
        Type: 'String', Default: name, AllowedPattern: '^[A-Za-z0-9_-]{1,40}$',
        Description: 'Each function is named <prefix>-<event type>',
      },
    },
    Resources: {},
    Outputs: {},
  };
  if (result.target === 'cf') cloudFrontFunctions(template, result.artifacts, options.kvsKeys ?? []);
  else lambdaFunctions(template, result.artifacts);
  return template;
}

function cloudFrontFunctions(template: CloudFormationTemplate, artifacts: Artifact[], kvsKeys: string[]): void {
  const readsKvs = artifacts.some(readsKeyValueStore);
  if (readsKvs) {
    template.Parameters.KeyValueStoreArn = {
      Type: 'String',
      AllowedPattern: '^arn:aws[a-z-]*:cloudfront::[0-9]{12}:key-value-store/[A-Za-z0-9-]+$',
      Description: `ARN of the CloudFront KeyValueStore the functions read${kvsKeys.length ? ` (keys: ${kvsKeys.join(', ')})` : ''}`,
    };
  }
  for (const a of artifacts) {
    const id = `${PASCAL(a.eventType)}Function`;
    template.Resources[id] = {
      Type: 'AWS::CloudFront::Function',
      Properties: {
        Name: { 'Fn::Sub': `\${FunctionNamePrefix}-${a.eventType}` },
        AutoPublish: true,
        FunctionCode: a.code,
        FunctionConfig: {
          Comment: comment(a).slice(0, 128),
          Runtime: a.runtime,
          ...(readsKeyValueStore(a) ? { KeyValueStoreAssociations: [{ KeyValueStoreARN: { Ref: 'KeyValueStoreArn' } }] } : {}),
        },
      },
    };
    output(template, `${id}Arn`, { 'Fn::GetAtt': [id, 'FunctionARN'] }, `FunctionAssociations: { EventType: ${a.eventType}, FunctionARN: this }`);
  }
}

function lambdaFunctions(template: CloudFormationTemplate, artifacts: Artifact[]): void {
  // Lambda@Edge functions are created in us-east-1 only.
  template.Rules = {
    InUsEast1: {
      Assertions: [{
        Assert: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] },
        AssertDescription: 'Lambda@Edge functions must be created in us-east-1: deploy this stack there',
      }],
    },
  };
  template.Parameters.CodeBucket = { Type: 'String', Description: 'S3 bucket (in us-east-1) holding the zips edge build wrote' };
  template.Resources.EdgeFunctionRole = {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com', 'edgelambda.amazonaws.com'] }, Action: 'sts:AssumeRole' }],
      },
      ManagedPolicyArns: [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' }],
    },
  };
  for (const a of artifacts) {
    const base = PASCAL(a.eventType);
    const f = lambdaFields(a);
    template.Parameters[`${base}CodeKey`] = { Type: 'String', Default: a.zipFile, Description: `S3 key of ${a.zipFile} in CodeBucket` };
    template.Resources[`${base}Function`] = {
      Type: 'AWS::Lambda::Function',
      Properties: {
        FunctionName: { 'Fn::Sub': `\${FunctionNamePrefix}-${a.eventType}` },
        Description: comment(a).slice(0, 256),
        Handler: f.handler,
        Runtime: a.runtime,
        Timeout: f.timeoutSeconds,
        MemorySize: f.memoryMb,
        Role: { 'Fn::GetAtt': ['EdgeFunctionRole', 'Arn'] },
        Code: { S3Bucket: { Ref: 'CodeBucket' }, S3Key: { Ref: `${base}CodeKey` } },
      },
    };
    template.Resources[`${base}Version`] = {
      Type: 'AWS::Lambda::Version',
      Properties: {
        FunctionName: { Ref: `${base}Function` },
        // A new hash replaces the version: a rebuilt zip is published, a stale one refused.
        ...(a.zip ? { CodeSha256: createHash('sha256').update(a.zip).digest('base64') } : {}),
        Description: comment(a).slice(0, 256),
      },
    };
    const body = a.includeBody ? ', IncludeBody: true' : '';
    output(template, `${base}VersionArn`, { Ref: `${base}Version` }, `LambdaFunctionAssociations: { EventType: ${a.eventType}, LambdaFunctionARN: this${body} }`);
  }
}

function output(template: CloudFormationTemplate, id: string, value: unknown, description: string): void {
  template.Outputs[id] = { Description: description, Value: value, Export: { Name: { 'Fn::Sub': `\${AWS::StackName}-${id}` } } };
}

function comment(a: Artifact): string {
  return `Edgeline ${a.eventType}: ${a.middleware.join(', ')}`;
}

function readsKeyValueStore(a: Artifact): boolean {
  return a.capabilities.indexOf('kvs' as Capability) >= 0;
}

function lambdaFields(a: Artifact): Required<Pick<DeployFields, 'handler' | 'timeoutSeconds' | 'memoryMb' | 'deadlineMs' | 'includeBody'>> {
  const profile = PROFILES[a.eventType.indexOf('viewer') === 0 ? 'lambda-viewer' : 'lambda-origin'];
  return {
    handler: 'index.handler',
    timeoutSeconds: profile.limits.timeoutMs / 1000,
    memoryMb: 128,
    deadlineMs: bakedDeadlineMs(a.code) ?? defaultDeadlineMs(a.eventType),
    includeBody: a.includeBody === true,
  };
}

/**
 * manifest.json's deploy fields for one artifact.
 * @example { ...artifact, ...deployFields(artifact, { entry: 'edge.ts' }) }
 */
export function deployFields(a: Artifact, options: CloudFormationOptions = {}): DeployFields {
  const functionName = `${options.name ?? suggestedName(options.entry)}-${a.eventType}`.slice(0, 64);
  if (a.zipFile === undefined) {
    return { eventType: a.eventType, runtime: a.runtime, functionName, kvsKeys: readsKeyValueStore(a) ? options.kvsKeys ?? [] : [] };
  }
  return { eventType: a.eventType, runtime: a.runtime, functionName, ...lambdaFields(a) };
}

/** The deadline the handler's guard was bundled with (`deadlineMs:29e3,marginMs:1e3` minified). */
export function bakedDeadlineMs(code: string): number | undefined {
  const m = /\bdeadlineMs"?\s*:\s*(\d[\d.e+]*)\s*,\s*"?marginMs\b/.exec(code);
  const ms = m ? Number(m[1]) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

/** `site` for examples/site/edge.ts (a generic file name takes its folder's), `auth` for auth.ts; [A-Za-z0-9_-], at most 40. */
export function suggestedName(entry: string | undefined): string {
  if (!entry) return 'edgeline';
  const file = basename(entry, extname(entry));
  const raw = file === 'edge' || file === 'index' ? basename(dirname(resolve(entry))) : file;
  const clean = raw.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
  return clean || 'edgeline';
}

/**
 * The KeyValueStore keys a pipeline's middleware read: each `.kvs('literal')` or
 * `.kvs(config.key)` (the config's string) in a hook of a middleware that needs `kvs`, as
 * jwtVerify reads `ctx.kvs(config.secretKey)`. A key computed otherwise is not listed.
 */
export function kvsKeysOf(pipeline: Pipeline<Capability>): string[] {
  const keys = new Set<string>();
  for (const mw of pipeline.middleware) {
    if ((mw.needs as readonly string[]).indexOf('kvs') < 0) continue;
    const config = (mw.config ?? {}) as Record<string, unknown>;
    for (const hook of [mw.request, mw.response]) {
      if (!hook) continue;
      const re = /\.kvs\(\s*(?:[A-Za-z_$][\w$]*\.([A-Za-z_$][\w$]*)|(['"])((?:(?!\2)[^\\])*)\2)\s*\)/g;
      for (let m = re.exec(String(hook)); m; m = re.exec(String(hook))) {
        const key = m[1] !== undefined ? config[m[1]] : m[3];
        if (typeof key === 'string') keys.add(key);
      }
    }
  }
  return [...keys];
}
