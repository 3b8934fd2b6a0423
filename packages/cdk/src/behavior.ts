import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Annotations, Duration, Stage } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Capability, CfRuntime, EventType, Pipeline } from '@edgeline/core';
import { buildSync, type Built } from './lib/build-sync.js';
import { pipelineModule } from './lib/pipeline-module.js';
import { EDGE_LIMITS, edgeTimeout, functionNameFor, side } from './lib/limits.js';
import type { BuiltArtifact } from './lib/protocol.js';

/** Where the pipeline comes from: an entry file (as `edge build <entry>`) or the pipeline itself. */
export type EdgelineSource =
  | { /** A module exporting an `edge()` pipeline, relative to the working directory. */ entry: string; pipeline?: never }
  | {
      /**
       * The pipeline itself. Its hooks are passed to the build as source text, as every build
       * passes them; a hook's `require('./local')` resolves from the working directory (use
       * `entry` for hooks that require files beside their module).
       */
      pipeline: Pipeline<any>;
      entry?: never;
    };

interface CommonProps {
  /**
   * Name of each function: a string is a prefix (`<name>-viewer-request`), a record names
   * functions by event type. Default: a name CDK generates.
   */
  functionName?: string | Partial<Record<EventType, string>>;
  /** Comment (CloudFront Function) or description (Lambda@Edge) by event type. Default: the event type and the middleware in it. */
  comment?: Partial<Record<EventType, string>>;
  /**
   * How long the functions' logs are kept. CloudFront Functions log to us-east-1
   * (`/aws/cloudfront/function/<name>`); for Lambda@Edge this sets the group of the function
   * in us-east-1, and each regional group (`/aws/lambda/us-east-1.<name>`) Lambda creates where
   * the function runs keeps Lambda's default. Default: never expire.
   */
  logRetention?: logs.RetentionDays;
  /** Run the TypeScript checker on the entry first, as `edge build --typecheck`. */
  typecheck?: boolean;
}

/** A CloudFront Functions build. */
export interface CfBehaviorProps extends CommonProps {
  target: 'cf';
  /** Default as `edge build`: cloudfront-js-1.0. A pipeline that reads a KeyValueStore needs cloudfront-js-2.0. */
  runtime?: CfRuntime;
  /**
   * Associated with each function whose middleware read a KeyValueStore; required when one does.
   * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/kvs-with-functions-associate.html
   */
  keyValueStore?: cloudfront.IKeyValueStore;
}

/** A Lambda@Edge build. */
export interface LambdaBehaviorProps extends CommonProps {
  target: 'lambda';
  /** Default as `edge build`: nodejs22.x. */
  node?: 'nodejs22.x' | 'nodejs24.x';
  /** Default 128 MB. Lambda@Edge allows at most 128 MB at viewer events. */
  memorySize?: number;
  /**
   * Default 5 s at viewer events and 30 s at origin events (the most Lambda@Edge allows). Must be
   * above the deadline the build gave the artifact (4.5 s viewer, 29 s origin when a hook awaits),
   * else Lambda would stop the function before its guard can answer.
   */
  timeout?: Duration;
}

/**
 * An auto build (`edge build --target auto`): each event type runs as a CloudFront Function
 * where every hook at it can, else on Lambda@Edge (origin events always). The CloudFront Function
 * props apply to the CloudFront Functions, the Lambda@Edge props to the Lambda@Edge functions.
 */
export interface AutoBehaviorProps extends CommonProps {
  target: 'auto';
  /** The runtime of the CloudFront Functions. Default as `edge build --target auto`: cloudfront-js-2.0. */
  runtime?: CfRuntime;
  /** Associated with each CloudFront Function whose middleware read a KeyValueStore; required when one does. */
  keyValueStore?: cloudfront.IKeyValueStore;
  /** The runtime of the Lambda@Edge functions. Default nodejs22.x. */
  node?: 'nodejs22.x' | 'nodejs24.x';
  /** Of the Lambda@Edge functions. Default 128 MB; at most 128 MB at viewer events. */
  memorySize?: number;
  /** Of the Lambda@Edge functions: default the trigger's limit, and above the deadline built into each handler. */
  timeout?: Duration;
}

export type EdgelineBehaviorProps = EdgelineSource & (CfBehaviorProps | LambdaBehaviorProps | AutoBehaviorProps);

const FUNCTION_EVENT: Partial<Record<EventType, cloudfront.FunctionEventType>> = {
  'viewer-request': cloudfront.FunctionEventType.VIEWER_REQUEST,
  'viewer-response': cloudfront.FunctionEventType.VIEWER_RESPONSE,
};

const LAMBDA_EVENT: Record<EventType, cloudfront.LambdaEdgeEventType> = {
  'viewer-request': cloudfront.LambdaEdgeEventType.VIEWER_REQUEST,
  'origin-request': cloudfront.LambdaEdgeEventType.ORIGIN_REQUEST,
  'origin-response': cloudfront.LambdaEdgeEventType.ORIGIN_RESPONSE,
  'viewer-response': cloudfront.LambdaEdgeEventType.VIEWER_RESPONSE,
};

/**
 * An Edgeline pipeline on a CloudFront behavior: builds the pipeline at synth time as `edge build`
 * does (a rejection fails the synth with the same message), creates one CloudFront Function or
 * one Lambda@Edge function per artifact (target 'auto': each where the plan put its event type),
 * and gives the behavior's associations.
 * @example
 * const edge = new EdgelineBehavior(this, 'Edge', { entry: 'edge.ts', target: 'cf' });
 * new cloudfront.Distribution(this, 'Site', { defaultBehavior: { origin, ...edge.behaviorOptions } });
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-functions.html
 */
export class EdgelineBehavior extends Construct {
  /** Spread into a behavior: `functionAssociations` (CloudFront Functions) and `edgeLambdas` (Lambda@Edge, with `includeBody` where the pipeline reads the body). */
  readonly behaviorOptions: Pick<cloudfront.BehaviorOptions, 'functionAssociations' | 'edgeLambdas'>;
  /** The CloudFront Functions, by event type (target 'cf', or 'auto' where the plan put one). */
  readonly functions: Partial<Record<EventType, cloudfront.Function>> = {};
  /** The Lambda@Edge functions, by event type (target 'lambda', or 'auto' where the plan put one). */
  readonly edgeFunctions: Partial<Record<EventType, cloudfront.experimental.EdgeFunction>> = {};
  /** What the build made: each artifact as manifest.json lists it, and where the files are. */
  readonly build: { out: string; artifacts: readonly BuiltArtifact[]; warnings: readonly string[] };

  constructor(scope: Construct, id: string, props: EdgelineBehaviorProps) {
    super(scope, id);
    checkProps(props);
    const out = outDir(this);
    const built = buildSync({
      entry: 'entry' in props && props.entry !== undefined ? props.entry : pipelineEntry(this, props.pipeline!),
      target: props.target,
      runtime: props.target !== 'lambda' ? props.runtime : undefined,
      node: props.target !== 'cf' ? props.node : undefined,
      out,
      typecheck: props.typecheck,
    });
    this.build = { out: built.out, artifacts: built.artifacts, warnings: built.warnings };
    for (const w of built.warnings) Annotations.of(this).addWarningV2('@edgeline/cdk:buildWarning', w);
    if (props.target === 'cf') this.behaviorOptions = this.cloudFrontFunctions(props, built, built.artifacts);
    else if (props.target === 'lambda') this.behaviorOptions = this.lambdaFunctions(props, built, built.artifacts);
    else {
      // Auto: each artifact says where the plan put its event type; both kinds go on the one behavior.
      const cf = built.artifacts.filter((a) => a.target === 'cf');
      const le = built.artifacts.filter((a) => a.target === 'lambda');
      const other = built.artifacts.filter((a) => a.target !== 'cf' && a.target !== 'lambda');
      if (other.length) throw new Error(`${this.node.path}: the auto build gave no target for ${other.map((a) => a.file).join(', ')}`);
      const functions = this.cloudFrontFunctions(props, built, cf); // with none, still says an unused keyValueStore
      this.behaviorOptions = {
        ...(cf.length ? functions : {}),
        ...(le.length ? this.lambdaFunctions(props, built, le) : {}),
      };
    }
  }

  private cloudFrontFunctions(props: CfBehaviorProps | AutoBehaviorProps, built: Built, artifacts: readonly BuiltArtifact[]): Pick<cloudfront.BehaviorOptions, 'functionAssociations'> {
    const readers = artifacts.filter((a) => a.capabilities.includes('kvs' as Capability));
    if (readers.length && !props.keyValueStore) {
      throw new Error(`${this.node.path}: the ${readers.map((a) => a.eventType).join(' and ')} function reads a KeyValueStore (${readers.flatMap((a) => a.middleware).join(', ')}): pass keyValueStore`);
    }
    if (props.keyValueStore && !readers.length) {
      Annotations.of(this).addWarningV2('@edgeline/cdk:unusedKeyValueStore', 'keyValueStore is set but no middleware of the pipeline reads a KeyValueStore: it is not associated');
    }
    const functionAssociations: cloudfront.FunctionAssociation[] = [];
    for (const a of artifacts) {
      const eventType = FUNCTION_EVENT[a.eventType];
      if (!eventType) throw new Error(`${this.node.path}: a CloudFront Function cannot run at ${a.eventType}`);
      const fn = new cloudfront.Function(this, pascal(a.eventType), {
        code: cloudfront.FunctionCode.fromInline(readFileSync(join(built.out, a.file), 'utf8')),
        runtime: a.runtime === 'cloudfront-js-2.0' ? cloudfront.FunctionRuntime.JS_2_0 : cloudfront.FunctionRuntime.JS_1_0,
        functionName: functionNameFor(props.functionName, a.eventType),
        comment: (props.comment?.[a.eventType] ?? describe(a)).slice(0, 128),
        keyValueStore: readers.includes(a) ? props.keyValueStore : undefined,
        autoPublish: true,
      });
      this.functions[a.eventType] = fn;
      functionAssociations.push({ function: fn, eventType });
      if (props.logRetention !== undefined) this.retain(`${pascal(a.eventType)}Logs`, `/aws/cloudfront/function/${fn.functionName}`, props.logRetention);
    }
    return { functionAssociations };
  }

  private lambdaFunctions(props: LambdaBehaviorProps | AutoBehaviorProps, built: Built, artifacts: readonly BuiltArtifact[]): Pick<cloudfront.BehaviorOptions, 'edgeLambdas'> {
    const edgeLambdas: cloudfront.EdgeLambda[] = [];
    for (const a of artifacts) {
      const limits = EDGE_LIMITS[side(a.eventType)];
      const memorySize = props.memorySize ?? 128;
      if (memorySize > limits.memoryMb || memorySize < 128) {
        throw new Error(`${this.node.path}: memorySize ${memorySize} MB: the ${a.eventType} function runs at a ${side(a.eventType)} event, where Lambda@Edge takes 128 to ${limits.memoryMb} MB`);
      }
      const fn = new cloudfront.experimental.EdgeFunction(this, pascal(a.eventType), {
        code: lambda.Code.fromAsset(join(built.out, a.zipFile!)),
        handler: 'index.handler',
        runtime: new lambda.Runtime(a.runtime, lambda.RuntimeFamily.NODEJS, { supportsInlineCode: true }),
        timeout: edgeTimeout(this.node.path, a, props.timeout),
        memorySize,
        functionName: functionNameFor(props.functionName, a.eventType),
        description: (props.comment?.[a.eventType] ?? describe(a)).slice(0, 256),
      });
      // In the function's own stack (us-east-1, a stack of its own when this one is elsewhere).
      if (props.logRetention !== undefined) {
        new logs.LogRetention(fn.lambda, 'LogRetention', { logGroupName: `/aws/lambda/${fn.lambda.functionName}`, retention: props.logRetention });
      }
      this.edgeFunctions[a.eventType] = fn;
      edgeLambdas.push({
        functionVersion: fn.currentVersion,
        eventType: LAMBDA_EVENT[a.eventType],
        ...(a.includeBody ? { includeBody: true } : {}),
      });
    }
    return { edgeLambdas };
  }

  /** Functions at the edge log to us-east-1, whatever the stack's region. */
  private retain(id: string, logGroupName: string, retention: logs.RetentionDays): void {
    new logs.LogRetention(this, id, { logGroupName, retention, logGroupRegion: 'us-east-1' });
  }
}

function checkProps(props: EdgelineBehaviorProps): void {
  const source = [props.entry !== undefined && 'entry', props.pipeline !== undefined && 'pipeline'].filter(Boolean);
  if (source.length !== 1) throw new TypeError(`EdgelineBehavior: give entry or pipeline (got ${source.length ? 'both' : 'neither'})`);
  if (props.target !== 'cf' && props.target !== 'lambda' && props.target !== 'auto') {
    throw new TypeError(`EdgelineBehavior: target must be 'auto', 'cf' or 'lambda' (got ${String((props as { target?: unknown }).target)})`);
  }
  const wrong = props.target === 'cf' ? ['node', 'memorySize', 'timeout'] : props.target === 'lambda' ? ['runtime', 'keyValueStore'] : [];
  const given = wrong.filter((k) => (props as unknown as Record<string, unknown>)[k] !== undefined);
  if (given.length) throw new TypeError(`EdgelineBehavior: ${given.join(', ')} ${given.length === 1 ? 'is' : 'are'} not for target '${props.target}'`);
}

/** Where the build writes: in the cloud assembly, so it goes with cdk.out. */
function outDir(scope: Construct): string {
  const stage = Stage.of(scope);
  if (!stage) throw new Error(`${scope.node.path}: EdgelineBehavior must be in a CDK app or stage`);
  return join(stage.assetOutdir, `edgeline.${scope.node.addr}`);
}

/**
 * The entry a pipeline object is built from. It is written under node_modules/.cache of the
 * working directory: the build resolves what hooks require (and the Lambda@Edge handler's own
 * runtime) from the entry's folder, which must see the project's node_modules.
 */
function pipelineEntry(scope: Construct, pipeline: Pipeline<any>): string {
  let dir = process.cwd();
  while (!existsSync(join(dir, 'node_modules')) && resolve(dir, '..') !== dir) dir = resolve(dir, '..');
  const folder = join(dir, 'node_modules', '.cache', 'edgeline-cdk', scope.node.addr);
  mkdirSync(folder, { recursive: true });
  const entry = join(folder, 'edge.cjs');
  writeFileSync(entry, pipelineModule(pipeline));
  return entry;
}

function describe(a: BuiltArtifact): string {
  return `Edgeline ${a.eventType}: ${a.middleware.join(', ')}`;
}

function pascal(eventType: string): string {
  return eventType.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}
