import { Duration } from 'aws-cdk-lib';
import { PROFILES, type EventType } from '@edgeline/core';
import { defaultDeadlineMs } from '@edgeline/lambda-target';
import type { BuiltArtifact } from './protocol.js';

export type Side = 'viewer' | 'origin';

/**
 * Lambda@Edge's limits by trigger side (core's target profiles): 5 s and 128 MB at viewer
 * events, 30 s and up to 10,240 MB at origin events.
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-lambda-at-edge
 */
export const EDGE_LIMITS: Record<Side, { timeoutMs: number; memoryMb: number }> = {
  viewer: { timeoutMs: PROFILES['lambda-viewer'].limits.timeoutMs, memoryMb: PROFILES['lambda-viewer'].limits.memoryMb },
  origin: { timeoutMs: PROFILES['lambda-origin'].limits.timeoutMs, memoryMb: PROFILES['lambda-origin'].limits.memoryMb },
};

export function side(eventType: EventType): Side {
  return eventType.indexOf('viewer') === 0 ? 'viewer' : 'origin';
}

/**
 * The deadline the artifact's guard was built with: what the build reported, else the default
 * the build uses (4.5 s viewer, 29 s origin), the most it can be. 0: no hook waits, no deadline.
 */
export function deadlineOf(a: BuiltArtifact): number {
  return a.deadlineMs ?? defaultDeadlineMs(a.eventType);
}

/**
 * The function's timeout: the trigger's limit unless `wanted`, which must be within the limit
 * and above the deadline baked into the artifact (else Lambda stops the function first and
 * CloudFront answers 503 with nothing logged).
 */
export function edgeTimeout(path: string, a: BuiltArtifact, wanted: Duration | undefined): Duration {
  const limitMs = EDGE_LIMITS[side(a.eventType)].timeoutMs;
  if (wanted === undefined) return Duration.millis(limitMs);
  const ms = wanted.toMilliseconds();
  const deadline = deadlineOf(a);
  if (ms > limitMs) throw new Error(`${path}: timeout ${ms / 1000} s: the ${a.eventType} function runs at a ${side(a.eventType)} event, where Lambda@Edge allows at most ${limitMs / 1000} s`);
  if (ms <= deadline) {
    throw new Error(`${path}: timeout ${ms / 1000} s is not above the ${deadline} ms deadline built into the ${a.eventType} handler: Lambda would stop it before it can answer (leave timeout unset for ${limitMs / 1000} s)`);
  }
  return wanted;
}

/** `<prefix>-<event type>` for a string, the record's entry for a record. */
export function functionNameFor(name: string | Partial<Record<EventType, string>> | undefined, eventType: EventType): string | undefined {
  if (name === undefined) return undefined;
  return typeof name === 'string' ? `${name}-${eventType}` : name[eventType];
}
