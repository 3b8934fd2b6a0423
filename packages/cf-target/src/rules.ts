import type { CfRuntime } from '@edgeline/core';

/**
 * What each CloudFront Functions runtime offers, from ../shared/docs/runtimes.md.
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-javascript-runtime-10.html
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-javascript-runtime-20.html
 */
export const MODULES: Record<CfRuntime, readonly string[]> = {
  'cloudfront-js-1.0': ['crypto', 'querystring'],
  'cloudfront-js-2.0': ['crypto', 'querystring', 'buffer', 'cloudfront'],
};

const LACKING_BOTH = [
  'Map', 'Set', 'WeakMap', 'WeakSet', 'WeakRef', 'Symbol', 'Proxy', 'Reflect', 'process', 'setTimeout',
  'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'queueMicrotask', 'fetch', 'XMLHttpRequest',
  'globalThis', 'structuredClone', 'TextEncoder', 'TextDecoder', 'URL', 'URLSearchParams', 'atob', 'btoa',
];

/** Globals a function must not reference on each runtime. */
export const LACKING_GLOBALS: Record<CfRuntime, readonly string[]> = {
  'cloudfront-js-1.0': [...LACKING_BOTH, 'Promise', 'Buffer'],
  'cloudfront-js-2.0': LACKING_BOTH,
};

/**
 * Runtime 1.0's non-standard njs string methods, which runtime 2.0 removed for `Buffer`.
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-javascript-runtime-features.html
 */
export const NJS_STRING_METHODS = ['bytesFrom', 'fromBytes', 'fromUTF8', 'toBytes', 'toUTF8'] as const;

const NEWER_THAN_ES5 = ['from', 'fromEntries', 'flat', 'flatMap', 'at', 'replaceAll', 'matchAll'];

/** Methods each runtime lacks (runtimes.md), matched as `.name(`. */
export const LACKING_METHODS: Record<CfRuntime, readonly string[]> = {
  'cloudfront-js-1.0': NEWER_THAN_ES5,
  'cloudfront-js-2.0': [...NEWER_THAN_ES5, ...NJS_STRING_METHODS],
};
const LACKING_METHOD_OWNERS: Record<string, string> = { from: 'Array', fromEntries: 'Object', bytesFrom: 'String' };

/** Whether `owner.method(...)` (owner '' when not a plain name) calls a method the runtime lacks. */
export function lacksMethod(method: string, owner: string, runtime: CfRuntime): boolean {
  return LACKING_METHODS[runtime].indexOf(method) >= 0 && (!LACKING_METHOD_OWNERS[method] || LACKING_METHOD_OWNERS[method] === owner);
}

export function lackingMethodName(method: string): string {
  return LACKING_METHOD_OWNERS[method] ? `${LACKING_METHOD_OWNERS[method]}.${method}` : `.${method}()`;
}

/** How to do without a method a runtime lacks. */
export function lackingMethodFix(method: string): string {
  // Only 2.0 lacks the njs string methods.
  if ((NJS_STRING_METHODS as readonly string[]).indexOf(method) >= 0) return "use Buffer (Buffer.from(s, 'base64').toString('utf8')), or --runtime cloudfront-js-1.0";
  return `write it without ${lackingMethodName(method)}, or use --target lambda`;
}

/**
 * What njs has and a CloudFront runtime lacks, removed before an artifact runs in njs: the
 * timers and `process`, and on 2.0 the string methods it removed.
 */
export function njsPrelude(runtime: CfRuntime): string {
  const timers = 'var setTimeout, setInterval, clearTimeout, process;\n';
  if (runtime === 'cloudfront-js-1.0') return timers;
  return `${timers}delete String.bytesFrom; ${NJS_STRING_METHODS.filter((m) => m !== 'bytesFrom').map((m) => `delete String.prototype.${m};`).join(' ')}\n`;
}

export const MAX_BYTES = 10240;
