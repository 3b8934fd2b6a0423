/** The four CloudFront events an edge function can be attached to. */
export const EVENT_TYPES = ['viewer-request', 'origin-request', 'origin-response', 'viewer-response'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export type RequestEventType = 'viewer-request' | 'origin-request';
export type ResponseEventType = 'origin-response' | 'viewer-response';

/** What a middleware can need from the runtime, besides running at an event type. */
export const FEATURES = [
  'body',
  'network',
  'async',
  'crypto:hash',
  'crypto:hmac',
  'crypto:verify',
  'kvs',
  'origin',
  'fs',
  'env',
] as const;
export type Feature = (typeof FEATURES)[number];

/** A closed union: a feature, or an event type the middleware must run at. */
export type Capability = Feature | EventType;

export const CAPABILITIES: readonly Capability[] = [...FEATURES, ...EVENT_TYPES];

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).indexOf(value) >= 0;
}

export function isCapability(value: string): value is Capability {
  return (CAPABILITIES as readonly string[]).indexOf(value) >= 0;
}

export function isRequestEvent(eventType: EventType): eventType is RequestEventType {
  return eventType === 'viewer-request' || eventType === 'origin-request';
}
