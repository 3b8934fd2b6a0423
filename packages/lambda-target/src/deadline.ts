import { PROFILES, type EventType } from '@edgeline/core';
import type { GuardOptions } from './runtime/guard.js';

/**
 * Time kept free before Lambda@Edge's own timeout (5 s viewer, 30 s origin): past it the function
 * is killed, CloudFront answers 503 and nothing of ours is logged. The margin leaves room to
 * answer and log instead.
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-lambda-at-edge
 */
export const MARGIN_MS = { viewer: 500, origin: 1000 } as const;

function side(eventType: EventType): 'viewer' | 'origin' {
  return eventType.indexOf('viewer') === 0 ? 'viewer' : 'origin';
}

/** The trigger's timeout less the margin: 4.5 s for viewer triggers, 29 s for origin triggers. */
export function defaultDeadlineMs(eventType: EventType): number {
  const s = side(eventType);
  return PROFILES[`lambda-${s}`].limits.timeoutMs - MARGIN_MS[s];
}

/**
 * What the guard of one artifact is told. `awaits` says whether any hook of the artifact waits
 * for anything: if none does, a timer could never fire before the hooks end, so there is none.
 */
export function guardOptions(eventType: EventType, awaits: boolean, deadlineMs?: number): GuardOptions {
  return {
    eventType,
    deadlineMs: awaits ? (deadlineMs ?? defaultDeadlineMs(eventType)) : 0,
    marginMs: MARGIN_MS[side(eventType)],
    sync: !awaits,
  };
}
