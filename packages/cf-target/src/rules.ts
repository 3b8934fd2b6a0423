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

/** Methods newer than ES5 that the runtimes lack (runtimes.md), matched as `.name(`. */
export const LACKING_METHODS = ['from', 'fromEntries', 'flat', 'flatMap', 'at', 'replaceAll', 'matchAll'];
const LACKING_METHOD_OWNERS: Record<string, string> = { from: 'Array', fromEntries: 'Object' };

export function lackingMethodName(method: string): string {
  return LACKING_METHOD_OWNERS[method] ? `${LACKING_METHOD_OWNERS[method]}.${method}` : `.${method}()`;
}

export const MAX_BYTES = 10240;
