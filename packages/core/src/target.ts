import type { EventType, Feature } from './capability.js';

/** What `edge build` can produce: a CloudFront Function runtime, or Lambda@Edge. */
export type TargetName = 'cloudfront-js-1.0' | 'cloudfront-js-2.0' | 'lambda';
export type CfRuntime = Extract<TargetName, `cloudfront-js-${string}`>;

/**
 * The CloudFront Functions runtime used when none is given: by `edge build --target cf`,
 * `buildCf`, `edge run` and `runPipeline`, so a test runs a pipeline as the default build does.
 * 2.0, as the CloudFront console picks for a new function: it runs const, let and async/await
 * natively, KeyValueStore and origin helpers; 1.0 stays available (`--runtime cloudfront-js-1.0`).
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-javascript-runtime-features.html
 */
export const DEFAULT_CF_RUNTIME = 'cloudfront-js-2.0' satisfies CfRuntime;

/** One runtime as seen by one event type's code. */
export type ProfileName = 'cloudfront-js-1.0' | 'cloudfront-js-2.0' | 'lambda-viewer' | 'lambda-origin';

export interface Limits {
  /** Largest artifact CloudFront accepts, in bytes (zipped for Lambda@Edge). */
  maxBytes: number;
  /** Longest a function may run, in milliseconds. */
  timeoutMs: number;
  memoryMb: number;
  /** Largest body a function may generate, in bytes. */
  maxGeneratedBodyBytes: number;
}

export interface TargetProfile {
  name: ProfileName;
  eventTypes: readonly EventType[];
  features: readonly Feature[];
  limits: Limits;
  /** Why this profile lacks a feature, and what to do instead. */
  lacks: Partial<Record<Feature, { why: string; fix: string }>>;
}

const CFF_FIX_LAMBDA = 'use --target lambda';
const ENV = {
  why: 'CloudFront edge functions have no environment variables',
  fix: 'pass the value as a middleware option: options are inlined into the artifact at build time',
};

/**
 * Facts from ../shared/docs/runtimes.md and the AWS pages it names.
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html
 */
export const PROFILES: Record<ProfileName, TargetProfile> = {
  'cloudfront-js-1.0': {
    name: 'cloudfront-js-1.0',
    eventTypes: ['viewer-request', 'viewer-response'],
    features: ['crypto:hash', 'crypto:hmac'],
    limits: { maxBytes: 10240, timeoutMs: 1, memoryMb: 2, maxGeneratedBodyBytes: 40960 },
    lacks: {
      body: { why: 'CloudFront Functions never see the request body', fix: CFF_FIX_LAMBDA + ' (the trigger includes the body)' },
      network: { why: 'CloudFront Functions have no network access', fix: CFF_FIX_LAMBDA },
      async: { why: 'runtime cloudfront-js-1.0 has no Promise, async or await', fix: 'use --runtime cloudfront-js-2.0, or --target lambda' },
      'crypto:verify': { why: 'the crypto module of CloudFront Functions offers hashes and HMAC only, no RSA/EC signature verification', fix: CFF_FIX_LAMBDA + ', or an HS256 secret (CloudFront Functions offer HMAC with sha256, not sha384/512)' },
      kvs: { why: 'KeyValueStore needs runtime cloudfront-js-2.0', fix: 'use --runtime cloudfront-js-2.0' },
      origin: { why: 'origin modification helpers need runtime cloudfront-js-2.0', fix: 'use --runtime cloudfront-js-2.0, or --target lambda' },
      fs: { why: 'CloudFront Functions have no filesystem', fix: CFF_FIX_LAMBDA + ', or inline the data as an option' },
      env: ENV,
    },
  },
  'cloudfront-js-2.0': {
    name: 'cloudfront-js-2.0',
    eventTypes: ['viewer-request', 'viewer-response'],
    features: ['crypto:hash', 'crypto:hmac', 'async', 'kvs', 'origin'],
    limits: { maxBytes: 10240, timeoutMs: 1, memoryMb: 2, maxGeneratedBodyBytes: 40960 },
    lacks: {
      body: { why: 'CloudFront Functions never see the request body', fix: CFF_FIX_LAMBDA + ' (the trigger includes the body)' },
      network: { why: 'CloudFront Functions have no network access', fix: CFF_FIX_LAMBDA },
      'crypto:verify': { why: 'the crypto module of CloudFront Functions offers hashes and HMAC only, no RSA/EC signature verification', fix: CFF_FIX_LAMBDA + ', or an HS256 secret (CloudFront Functions offer HMAC with sha256, not sha384/512)' },
      fs: { why: 'CloudFront Functions have no filesystem', fix: CFF_FIX_LAMBDA + ', or inline the data as an option' },
      env: ENV,
    },
  },
  'lambda-viewer': {
    name: 'lambda-viewer',
    eventTypes: ['viewer-request', 'viewer-response'],
    features: ['body', 'network', 'async', 'crypto:hash', 'crypto:hmac', 'crypto:verify', 'fs'],
    limits: { maxBytes: 1048576, timeoutMs: 5000, memoryMb: 128, maxGeneratedBodyBytes: 40960 },
    lacks: {
      kvs: { why: 'KeyValueStore is a CloudFront Functions feature', fix: 'use --target cf --runtime cloudfront-js-2.0, or pass the value as an option' },
      origin: { why: 'Lambda@Edge can change the origin only at origin-request', fix: "let the middleware run at origin-request (runsAt: { request: ['origin-request'] })" },
      env: ENV,
    },
  },
  'lambda-origin': {
    name: 'lambda-origin',
    eventTypes: ['origin-request', 'origin-response'],
    features: ['body', 'network', 'async', 'crypto:hash', 'crypto:hmac', 'crypto:verify', 'fs', 'origin'],
    limits: { maxBytes: 52428800, timeoutMs: 30000, memoryMb: 10240, maxGeneratedBodyBytes: 1048576 },
    lacks: {
      kvs: { why: 'KeyValueStore is a CloudFront Functions feature', fix: 'use --target cf --runtime cloudfront-js-2.0, or pass the value as an option' },
      env: ENV,
    },
  },
};

/** The profile that governs code running at `eventType` on `target`, or undefined if the target has no such event. */
export function profileFor(target: TargetName, eventType: EventType): TargetProfile | undefined {
  if (target === 'lambda') return PROFILES[eventType.indexOf('viewer') === 0 ? 'lambda-viewer' : 'lambda-origin'];
  const p = PROFILES[target];
  return p.eventTypes.indexOf(eventType) >= 0 ? p : undefined;
}

export function isCfTarget(target: TargetName): target is CfRuntime {
  return target !== 'lambda';
}

/** Capabilities each target offers somewhere: the type a build of that target accepts. */
export type SupportedBy<T extends TargetName> = T extends 'cloudfront-js-1.0'
  ? 'crypto:hash' | 'crypto:hmac' | 'viewer-request' | 'viewer-response'
  : T extends 'cloudfront-js-2.0'
    ? 'crypto:hash' | 'crypto:hmac' | 'async' | 'kvs' | 'origin' | 'viewer-request' | 'viewer-response'
    : Exclude<import('./capability.js').Capability, 'kvs' | 'env'>;

/**
 * What `edge build --target auto` (the default) builds for: per event type, a CloudFront Function
 * where every hook there can run on one, else Lambda@Edge (origin events: always Lambda@Edge).
 */
export type AutoTarget = 'auto';

/** The CloudFront Functions runtime `--target auto` uses unless `--runtime` pins another. */
export const AUTO_CF_RUNTIME = 'cloudfront-js-2.0' satisfies CfRuntime;

/**
 * Public prices, US dollars, as read on `read` (us-east-1 list prices; no free tier counted), for
 * the estimate `edge build --target auto` prints. Estimates: a user's bill depends on the
 * region, the free tier and the real duration of each call.
 * @see https://aws.amazon.com/cloudfront/pricing/
 * @see https://aws.amazon.com/about-aws/whats-new/2021/03/cloudfront-lambda-at-edge-billing-granularity/
 */
export const PRICES = {
  read: '2026-12-01',
  /** CloudFront Functions: per invocation only. */
  cloudFrontFunctionPerMillion: 0.1,
  /** Lambda@Edge: per request... */
  lambdaEdgePerMillionRequests: 0.6,
  /** ...plus duration, per GB-second, billed in 1 ms steps per invocation. */
  lambdaEdgePerGbSecond: 0.00005001,
  /** The memory edge build gives a Lambda@Edge function (the most a viewer trigger may have). */
  lambdaMemoryMb: 128,
  /**
   * Duration billed per call: a warm handler of the examples takes 1-6 microseconds (bench/
   * lambda-timer.mjs, `nsPerRequest`), so the bill is the 1 ms minimum step.
   */
  lambdaBilledMs: 1,
} as const;

/** Estimated US dollars per million invocations of a function on `target` (see PRICES). */
export function pricePerMillion(target: TargetName): number {
  if (isCfTarget(target)) return PRICES.cloudFrontFunctionPerMillion;
  const gbSeconds = (PRICES.lambdaMemoryMb / 1024) * (PRICES.lambdaBilledMs / 1000);
  return PRICES.lambdaEdgePerMillionRequests + gbSeconds * PRICES.lambdaEdgePerGbSecond * 1e6;
}
