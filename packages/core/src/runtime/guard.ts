import type { EventType } from '../capability.js';

/**
 * Headers CloudFront rejects when a function adds, changes or deletes them.
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-function-restrictions-all.html#function-restrictions-headers
 */
const READ_ONLY: Record<EventType, string[]> = {
  'viewer-request': ['content-length', 'host', 'transfer-encoding', 'via'],
  'origin-request': [
    'accept-encoding', 'content-length', 'if-modified-since', 'if-none-match',
    'if-range', 'if-unmodified-since', 'transfer-encoding', 'via',
  ],
  'origin-response': ['transfer-encoding', 'via'],
  'viewer-response': ['content-encoding', 'content-length', 'transfer-encoding', 'warning', 'via'],
};

const DISALLOWED = [
  'connection', 'expect', 'keep-alive', 'proxy-authenticate', 'proxy-authorization',
  'proxy-connection', 'trailer', 'upgrade', 'x-accel-buffering', 'x-accel-charset',
  'x-accel-limit-rate', 'x-accel-redirect', 'x-amzn-auth', 'x-amzn-cf-billing', 'x-amzn-cf-id',
  'x-amzn-cf-xff', 'x-amzn-errortype', 'x-amzn-fle-profile', 'x-amzn-header-count',
  'x-amzn-header-order', 'x-amzn-lambda-integration-tag', 'x-amzn-requestid', 'x-cache',
  'x-forwarded-proto', 'x-real-ip',
];
const DISALLOWED_PREFIXES = ['x-amz-cf-', 'x-edge-'];

const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;

export type HeaderProblem = 'read-only' | 'disallowed' | 'bad-name' | 'bad-value';

/** Why CloudFront would refuse this change, or undefined when it is allowed. */
export function headerProblem(eventType: EventType, name: string, value: string | undefined): HeaderProblem | undefined {
  const lower = name.toLowerCase();
  if (!TOKEN.test(lower)) return 'bad-name';
  if (READ_ONLY[eventType].indexOf(lower) >= 0) return 'read-only';
  if (isDisallowedHeader(lower)) return 'disallowed';
  if (value !== undefined && /[\r\n\0]/.test(value)) return 'bad-value';
  return undefined;
}

export function isDisallowedHeader(lowerName: string): boolean {
  if (DISALLOWED.indexOf(lowerName) >= 0) return true;
  for (let i = 0; i < DISALLOWED_PREFIXES.length; i++) {
    if (lowerName.indexOf(DISALLOWED_PREFIXES[i]) === 0) return true;
  }
  return false;
}

export function isReadOnlyHeader(eventType: EventType, lowerName: string): boolean {
  return READ_ONLY[eventType].indexOf(lowerName) >= 0;
}

export const HEADER_PROBLEM_TEXT: Record<HeaderProblem, string> = {
  'read-only': 'is read-only at this event type: CloudFront answers 502 when a function adds, changes or deletes it',
  disallowed: 'is not allowed: CloudFront answers 502 when a function adds it',
  'bad-name': 'is not a valid header name',
  'bad-value': 'has a value with CR, LF or NUL, which would split the header',
};
