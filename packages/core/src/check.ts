import type { Capability, EventType, RequestEventType, ResponseEventType } from './capability.js';
import { isEventType } from './capability.js';
import type { Middleware } from './middleware.js';
import type { Pipeline } from './pipeline.js';
import { profileFor, type AutoTarget, type TargetName } from './target.js';
import { planAuto, type AutoOptions, type AutoPlan } from './auto.js';

/** Why a pipeline cannot be built for a target: one per middleware and missing capability. */
export interface Violation {
  middleware: string;
  /** null for what no capability grants on this target (eval, an unavailable module, a missing built-in). */
  capability: Capability | null;
  /** The construct in the code that needs it, when a scan of the code found it. */
  construct?: string;
  /** `auto` for what no placement of `--target auto` can run. */
  target: TargetName | AutoTarget;
  why: string;
  fix: string;
}

/** Where one middleware's hooks run on one target. */
export interface Placement {
  middleware: Middleware;
  index: number;
  request: RequestEventType | undefined;
  response: ResponseEventType | undefined;
}

export type Plan =
  | { ok: true; target: TargetName; placements: Placement[] }
  | { ok: false; target: TargetName; violations: Violation[] };

const REQUEST_EVENTS: readonly EventType[] = ['viewer-request', 'origin-request'];
const RESPONSE_EVENTS: readonly EventType[] = ['origin-response', 'viewer-response'];
/** CloudFront's order within each phase. */
const ORDER: Record<EventType, number> = { 'viewer-request': 0, 'origin-request': 1, 'origin-response': 0, 'viewer-response': 1 };

/** Places every hook of the pipeline on the target, or says why it cannot. */
export function planPipeline(pipeline: Pipeline<Capability>, target: TargetName): Plan {
  const violations: Violation[] = [];
  const placements: Placement[] = [];
  pipeline.middleware.forEach((mw, index) => {
    const placement: Placement = { middleware: mw, index, request: undefined, response: undefined };
    if (mw.request) placement.request = place(mw, 'request', target, violations) as RequestEventType | undefined;
    if (mw.response) placement.response = place(mw, 'response', target, violations) as ResponseEventType | undefined;
    if (!mw.request && !mw.response) checkFeatures(mw, 'viewer-request', target, violations);
    placements.push(placement);
  });
  checkOrder(placements, target, violations);
  return violations.length ? { ok: false, target, violations } : { ok: true, target, placements };
}

/**
 * Every reason the pipeline cannot be built for `target` (empty when it can). For `'auto'`, the
 * plan `edge build --target auto` builds (where each event type runs, why, and the estimated
 * price), or the violations when no placement can run the pipeline.
 * @example
 * checkPipeline(pipeline, 'cloudfront-js-1.0'); // [] or [{ middleware, capability, why, fix }]
 * const plan = checkPipeline(pipeline, 'auto'); // plan.ok ? plan.events : plan.violations
 */
export function checkPipeline(pipeline: Pipeline<Capability>, target: AutoTarget, options?: AutoOptions): AutoPlan;
export function checkPipeline(pipeline: Pipeline<Capability>, target: TargetName): Violation[];
export function checkPipeline(pipeline: Pipeline<Capability>, target: TargetName | AutoTarget, options: AutoOptions = {}): Violation[] | AutoPlan {
  if (target === 'auto') return planAuto(pipeline, options);
  const plan = planPipeline(pipeline, target);
  return plan.ok ? [] : plan.violations;
}

function place(mw: Middleware, phase: 'request' | 'response', target: TargetName, out: Violation[]): EventType | undefined {
  const phaseEvents = phase === 'request' ? REQUEST_EVENTS : RESPONSE_EVENTS;
  const required = mw.needs.filter((n): n is EventType => isEventType(n) && phaseEvents.indexOf(n) >= 0);
  const candidates: readonly EventType[] = required.length ? required : mw.runsAt[phase];
  const offered = candidates.filter((e) => profileFor(target, e));
  if (!offered.length) {
    out.push({
      middleware: mw.name,
      capability: candidates[0],
      target,
      why: `its ${phase} hook must run at ${candidates.join(' or ')}, and ${target} runs functions only at viewer-request and viewer-response`,
      fix: 'use --target lambda',
    });
    return undefined;
  }
  for (const e of offered) {
    if (missingFeatures(mw, target, e).length === 0) return e;
  }
  checkFeatures(mw, offered[0], target, out);
  return undefined;
}

function missingFeatures(mw: Middleware, target: TargetName, eventType: EventType): Capability[] {
  const profile = profileFor(target, eventType)!;
  return mw.needs.filter((n) => !isEventType(n) && profile.features.indexOf(n) < 0);
}

function checkFeatures(mw: Middleware, eventType: EventType, target: TargetName, out: Violation[]): void {
  const profile = profileFor(target, eventType);
  if (!profile) return;
  for (const capability of missingFeatures(mw, target, eventType)) {
    if (out.some((v) => v.middleware === mw.name && v.capability === capability)) continue;
    const reason = profile.lacks[capability as keyof typeof profile.lacks];
    out.push({
      middleware: mw.name,
      capability,
      target,
      why: reason ? reason.why : `${target} does not offer ${capability} at ${eventType}`,
      fix: reason ? reason.fix : 'use another target',
    });
  }
}

/** A hook placed before an earlier middleware's hook in CloudFront's event order would run out of pipeline order. */
export function checkOrder(placements: Placement[], target: TargetName | AutoTarget, out: Violation[]): void {
  let last: Placement | undefined;
  for (const p of placements) {
    if (!p.request) continue;
    if (last && ORDER[p.request] < ORDER[last.request!]) out.push(orderViolation(p, last, p.request, last.request!, target));
    last = p;
  }
  last = undefined;
  for (let i = placements.length - 1; i >= 0; i--) {
    const p = placements[i];
    if (!p.response) continue;
    if (last && ORDER[p.response] < ORDER[last.response!]) out.push(orderViolation(p, last, p.response, last.response!, target));
    last = p;
  }
}

function orderViolation(p: Placement, before: Placement, at: EventType, beforeAt: EventType, target: TargetName | AutoTarget): Violation {
  return {
    middleware: p.middleware.name,
    capability: at,
    target,
    why: `it runs at ${at}, which CloudFront runs before ${beforeAt}, where '${before.middleware.name}' (earlier in the ${at.endsWith('request') ? 'request' : 'response'} order) runs`,
    fix: `reorder the pipeline so that '${p.middleware.name}' comes ${at.endsWith('request') ? 'before' : 'after'} '${before.middleware.name}'`,
  };
}

/** The event types a plan's artifacts are needed for, in CloudFront's order. */
export function eventTypesOf(placements: readonly Placement[]): EventType[] {
  const used = new Set<EventType>();
  for (const p of placements) {
    if (p.request) used.add(p.request);
    if (p.response) used.add(p.response);
  }
  return (['viewer-request', 'origin-request', 'origin-response', 'viewer-response'] as const).filter((e) => used.has(e));
}
