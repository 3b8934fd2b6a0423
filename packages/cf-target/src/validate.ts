import { HeaderGuardError, headerProblem, type EventType } from '@edgeline/core';
import type { CffEvent } from '@edgeline/core/runtime';

type Values = Record<string, { value: string; multiValue?: { value: string }[] }>;

/**
 * Checks a function's result the way CloudFront does before using it, so an emulator fails
 * where the service would answer 502: read-only or disallowed headers changed, CR/LF in a value,
 * a changed method, a malformed status.
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-function-restrictions-all.html
 */
export function validateCfResult(event: CffEvent, result: unknown): void {
  const eventType = event.context.eventType as EventType;
  if (typeof result !== 'object' || result === null) throw new HeaderGuardError('', `the ${eventType} function returned ${String(result)}, not a request or response object`);
  const r = result as Record<string, unknown>;
  if ('statusCode' in r) {
    const status = r.statusCode;
    if (typeof status !== 'number' || status < 100 || status > 599) throw new HeaderGuardError('', `statusCode ${String(status)} is not an HTTP status`);
    const before = eventType === 'viewer-response' ? (event.response?.headers as Values | undefined) : undefined;
    // A generated response is checked against the response rules: it is what the viewer gets.
    compare(before ?? {}, (r.headers as Values) ?? {}, 'viewer-response', before === undefined);
    return;
  }
  if (eventType !== 'viewer-request') throw new HeaderGuardError('', 'a viewer-response function must return the response');
  if (r.method !== event.request.method) throw new HeaderGuardError('', 'the request method is read-only');
  compare(event.request.headers as Values, (r.headers as Values) ?? {}, 'viewer-request', false);
}

function compare(before: Values, after: Values, eventType: EventType, generated: boolean): void {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const name of names) {
    const a = JSON.stringify(values(before[name]));
    const b = JSON.stringify(values(after[name]));
    const changed = a !== b;
    for (const v of values(after[name])) {
      if (/[\r\n\0]/.test(v)) throw new HeaderGuardError(name, `header '${name}' has a value with CR, LF or NUL`);
    }
    if (!changed) continue;
    const problem = headerProblem(eventType, name, undefined);
    if (problem === 'read-only' && !generated) throw new HeaderGuardError(name, `header '${name}' is read-only at ${eventType}: CloudFront would answer 502`);
    if (problem === 'disallowed' && after[name]) throw new HeaderGuardError(name, `header '${name}' may not be added: CloudFront would answer 502`);
    if (problem === 'bad-name') throw new HeaderGuardError(name, `'${name}' is not a valid header name`);
  }
}

function values(e: Values[string] | undefined): string[] {
  if (!e) return [];
  return e.multiValue && e.multiValue.length ? e.multiValue.map((v) => v.value) : [e.value];
}
