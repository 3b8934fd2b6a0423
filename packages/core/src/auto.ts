import type { Capability, EventType, RequestEventType, ResponseEventType } from './capability.js';
import { isEventType, isRequestEvent } from './capability.js';
import { checkOrder, type Placement, type Violation } from './check.js';
import type { Middleware } from './middleware.js';
import { Pipeline } from './pipeline.js';
import { hookSource } from './portable.js';
import { scanHook } from './lower/scan.js';
import { skipsResponse } from './lower/emit.js';
import { AUTO_CF_RUNTIME, isCfTarget, pricePerMillion, profileFor, type CfRuntime, type TargetName } from './target.js';

/** Where `--target auto` runs one event type's hooks, and why. */
export interface AutoEvent {
  eventType: EventType;
  /** A CloudFront Functions runtime, or `lambda`. */
  target: TargetName;
  /** The middleware whose hooks run here, in the order they run. */
  middleware: string[];
  /**
   * Lambda@Edge only: why not a CloudFront Function: per middleware that cannot run on one here
   * (`{ middleware: 'jwtVerify', why: 'needs crypto:verify: crypto.createPublicKey' }`), or for the event type.
   */
  reasons: AutoReason[];
  /** Hooks whose placement rule allowed another event type: why this one. */
  choices: string[];
  /** Estimated US dollars per million invocations (PRICES). */
  pricePerMillion: number;
}

export interface AutoReason {
  /** The middleware the reason is about; absent for the event type's own (origin events). */
  middleware?: string;
  why: string;
}

/** `checkPipeline(pipeline, 'auto')`: where each event type's hooks run, or why no placement can run the pipeline. */
export type AutoPlan =
  | {
    ok: true; target: 'auto'; runtime: CfRuntime; placements: Placement[]; events: AutoEvent[];
    /** Sum over the event types, as if every request reached each (no cache hits): an upper bound. */
    pricePerMillion: number;
  }
  | { ok: false; target: 'auto'; runtime: CfRuntime; violations: Violation[] };

export interface AutoOptions {
  /** The CloudFront Functions runtime to use where one can run an event type's hooks. Default cloudfront-js-2.0. */
  runtime?: CfRuntime;
  /**
   * Viewer event types to run on Lambda@Edge whatever the capabilities say, with why: `edge build`
   * passes one whose CloudFront Function the build refused (a hook's code, or over 10 KB).
   */
  lambda?: Partial<Record<EventType, string>>;
}

interface Hook {
  placementIndex: number;
  mw: Middleware;
  phase: 'request' | 'response';
  /** The event types the middleware allows, first choice first. */
  candidates: readonly EventType[];
}

type Runtimes = Record<EventType, TargetName>;

interface Candidate {
  placements: Placement[];
  runtimes: Runtimes;
  cost: number;
  /** Sum of each hook's position in its placement rule: lower is closer to what the middleware prefers. */
  rank: number;
  cfCount: number;
}

/** More than this many combinations of hook placements: each hook takes its first feasible event type. */
const MAX_COMBINATIONS = 4096;
const PHASE_EVENTS = { request: ['viewer-request', 'origin-request'], response: ['origin-response', 'viewer-response'] } as const;

/**
 * Places the pipeline for `--target auto`: each hook runs at an event type its middleware
 * allows (an event type in `needs`, else `runsAt`; never another), and each event type runs on
 * a CloudFront Function (`runtime`, default cloudfront-js-2.0) when every hook there can, else on
 * Lambda@Edge; origin events always on Lambda@Edge. Where a hook may run at more than one event
 * type, the placement with the lowest estimated price per million requests wins (PRICES), the
 * middleware's own order breaking ties.
 */
export function planAuto(pipeline: Pipeline<Capability>, options: AutoOptions = {}): AutoPlan {
  const runtime = options.runtime ?? AUTO_CF_RUNTIME;
  const forced = options.lambda ?? {};
  const hooks: Hook[] = [];
  const violations: Violation[] = [];
  pipeline.middleware.forEach((mw, index) => {
    for (const phase of ['request', 'response'] as const) {
      if (!mw[phase]) continue;
      const required = mw.needs.filter((n): n is EventType => isEventType(n) && (PHASE_EVENTS[phase] as readonly string[]).indexOf(n) >= 0);
      hooks.push({ placementIndex: index, mw, phase, candidates: required.length ? required : mw.runsAt[phase] });
    }
    if (!mw.request && !mw.response) {
      const anywhere = (['viewer-request', 'origin-request'] as const).some((e) => [runtime, 'lambda' as const].some((t) => runs(mw, t, e)));
      if (!anywhere) violations.push(...unplaceable(mw, 'viewer-request', runtime));
    }
  });
  for (const h of hooks) {
    if (!h.candidates.some((e) => runs(h.mw, runtime, e) || runs(h.mw, 'lambda', e))) violations.push(...unplaceable(h.mw, h.candidates[0], runtime));
  }
  if (violations.length) return { ok: false, target: 'auto', runtime, violations: dedupe(violations) };

  let best: Candidate | undefined;
  let fewest: Violation[] | undefined;
  for (const vr of forced['viewer-request'] ? ['lambda' as const] : [runtime, 'lambda' as const]) {
    for (const vs of forced['viewer-response'] ? ['lambda' as const] : [runtime, 'lambda' as const]) {
      const runtimes: Runtimes = { 'viewer-request': vr, 'origin-request': 'lambda', 'origin-response': 'lambda', 'viewer-response': vs };
      const feasible = hooks.map((h) => h.candidates.filter((e) => runs(h.mw, runtimes[e], e)));
      if (feasible.some((f) => !f.length)) continue;
      const count = feasible.reduce((n, f) => n * f.length, 1);
      const choices = count > MAX_COMBINATIONS ? [feasible.map((f) => f[0])] : product(feasible);
      for (const chosen of choices) {
        const placements = placementsOf(pipeline, hooks, chosen);
        const problems = problemsOf(placements, runtimes);
        if (problems.length) {
          if (!fewest || problems.length < fewest.length) fewest = problems;
          continue;
        }
        const c = score(placements, runtimes, hooks, chosen);
        if (!best || better(c, best)) best = c;
      }
    }
  }
  if (!best) return { ok: false, target: 'auto', runtime, violations: dedupe(fewest ?? []) };
  return describe(best, hooks, runtime, forced);
}

function runs(mw: Middleware, target: TargetName, eventType: EventType): boolean {
  return profileFor(target, eventType) !== undefined && missing(mw, target, eventType).length === 0;
}

function missing(mw: Middleware, target: TargetName, eventType: EventType): Capability[] {
  const profile = profileFor(target, eventType);
  if (!profile) return [];
  return mw.needs.filter((n) => !isEventType(n) && profile.features.indexOf(n) < 0);
}

function* product(lists: EventType[][]): Generator<EventType[]> {
  if (!lists.length) {
    yield [];
    return;
  }
  const [first, ...rest] = lists;
  for (const head of first) for (const tail of product(rest)) yield [head, ...tail];
}

function placementsOf(pipeline: Pipeline<Capability>, hooks: Hook[], chosen: EventType[]): Placement[] {
  const placements: Placement[] = pipeline.middleware.map((middleware, index) => ({ middleware, index, request: undefined, response: undefined }));
  hooks.forEach((h, i) => {
    const p = placements[h.placementIndex];
    if (h.phase === 'request') p.request = chosen[i] as RequestEventType;
    else p.response = chosen[i] as ResponseEventType;
  });
  return placements;
}

/**
 * The order CloudFront runs hooks in, and the response hooks an answer at viewer-request runs
 * through: they run in that function, so its runtime must offer what they need.
 */
function problemsOf(placements: Placement[], runtimes: Runtimes): Violation[] {
  const out: Violation[] = [];
  checkOrder(placements, 'auto', out);
  const at = 'viewer-request';
  const target = runtimes[at];
  const answering = placements.filter((p) => p.request === at);
  if (!answering.length) return out;
  const last = answering[answering.length - 1];
  for (const q of placements) {
    if (q.index >= last.index || !q.response || !skipsResponse(at, q.response)) continue;
    for (const capability of missing(q.middleware, target, at)) {
      const later = answering.find((p) => p.index > q.index)!;
      out.push({
        middleware: q.middleware.name, capability, target: 'auto',
        why: `its response hook runs on answers made at viewer-request (by '${later.middleware.name}', later in the pipeline), inside the viewer-request function on ${where(target)}, which lacks ${capability}`,
        fix: `move '${q.middleware.name}' after '${later.middleware.name}' in the pipeline, or change what places '${later.middleware.name}' there`,
      });
    }
  }
  return out;
}

function score(placements: Placement[], runtimes: Runtimes, hooks: Hook[], chosen: EventType[]): Candidate {
  const used = usedEvents(placements);
  return {
    placements,
    runtimes,
    cost: used.reduce((n, e) => n + pricePerMillion(runtimes[e]), 0),
    rank: hooks.reduce((n, h, i) => n + h.candidates.indexOf(chosen[i]), 0),
    cfCount: used.filter((e) => isCfTarget(runtimes[e])).length,
  };
}

function better(a: Candidate, b: Candidate): boolean {
  if (Math.abs(a.cost - b.cost) > 1e-9) return a.cost < b.cost;
  if (a.rank !== b.rank) return a.rank < b.rank;
  return a.cfCount > b.cfCount;
}

function usedEvents(placements: readonly Placement[]): EventType[] {
  const used = new Set<EventType>();
  for (const p of placements) {
    if (p.request) used.add(p.request);
    if (p.response) used.add(p.response);
  }
  return (['viewer-request', 'origin-request', 'origin-response', 'viewer-response'] as const).filter((e) => used.has(e));
}

function where(target: TargetName): string {
  return isCfTarget(target) ? `a CloudFront Function (${target})` : 'Lambda@Edge';
}

/** The plan as the CLI prints it: per event type, the middleware there, and why Lambda@Edge. */
function describe(best: Candidate, hooks: Hook[], runtime: CfRuntime, forced: Partial<Record<EventType, string>>): AutoPlan {
  const { placements, runtimes } = best;
  const events: AutoEvent[] = usedEvents(placements).map((eventType) => {
    const target = runtimes[eventType];
    const here = placements.filter((p) => (isRequestEvent(eventType) ? p.request : p.response) === eventType);
    if (!isRequestEvent(eventType)) here.reverse();
    const reasons: AutoReason[] = [];
    if (!isCfTarget(target)) {
      if (!eventType.startsWith('viewer')) reasons.push({ why: 'origin events run only on Lambda@Edge' });
      for (const p of here) {
        const lacks = missing(p.middleware, runtime, 'viewer-request');
        if (lacks.length) reasons.push({ middleware: p.middleware.name, why: `needs ${lacks.map((c) => needText(p.middleware, c)).join(', ')}` });
        else if (forced[eventType]) reasons.push({ middleware: p.middleware.name, why: forced[eventType]! });
      }
      if (eventType === 'viewer-request') {
        const last = here[here.length - 1];
        for (const q of placements) {
          if (!last || q.index >= last.index || !q.response) continue;
          const lacks = missing(q.middleware, runtime, 'viewer-request');
          if (lacks.length) reasons.push({ middleware: q.middleware.name, why: `its response hook runs on answers made here, and it needs ${lacks.map((c) => needText(q.middleware, c)).join(', ')}` });
        }
      }
      if (!reasons.length) reasons.push({ why: 'the only placement that keeps the pipeline\'s order' });
    }
    const choices: string[] = [];
    for (const h of hooks) {
      const p = placements[h.placementIndex];
      const at = h.phase === 'request' ? p.request : p.response;
      if (at !== eventType || h.candidates.length < 2) continue;
      const others = h.candidates.filter((e) => e !== at);
      const why = h.candidates[0] === at ? 'its first choice' : `cheaper than ${others.join(' or ')}`;
      choices.push(`${h.mw.name} may run at ${h.candidates.join(' or ')}: ${at} on ${where(target)} is ${why}`);
    }
    return { eventType, target, middleware: here.map((p) => p.middleware.name), reasons, choices, pricePerMillion: pricePerMillion(target) };
  });
  return { ok: true, target: 'auto', runtime, placements, events, pricePerMillion: best.cost };
}

/** `network: require('dns')`: the capability, and the construct of the hook's code that needs it when a scan finds one. */
function needText(mw: Middleware, capability: Capability): string {
  for (const hook of ['request', 'response'] as const) {
    const fn = mw[hook];
    if (!fn) continue;
    try {
      const found = scanHook(hookSource(mw.name, hook, fn)).find((f) => f.capability === capability);
      if (found) return `${capability}: ${found.construct}`;
    } catch {
      // A hook that cannot be lowered is rejected by the build itself, with its own message.
    }
  }
  return capability;
}

/**
 * A middleware that neither a CloudFront Function nor Lambda@Edge can run at `eventType`: one
 * violation per capability, with why each runtime lacks it and each fix.
 */
function unplaceable(mw: Middleware, eventType: EventType, runtime: CfRuntime): Violation[] {
  const viewer = eventType.startsWith('viewer');
  const cfLacks = viewer ? missing(mw, runtime, eventType) : [];
  const lambdaLacks = missing(mw, 'lambda', eventType);
  const all = [...new Set([...cfLacks, ...lambdaLacks])];
  return all.map((capability) => {
    const cf = cfLacks.indexOf(capability) >= 0 ? reason(runtime, eventType, capability) : undefined;
    const le = lambdaLacks.indexOf(capability) >= 0 ? reason('lambda', eventType, capability) : undefined;
    const whys: string[] = [];
    if (cf) whys.push(`on ${runtime}: ${cf.why}`);
    else if (viewer) whys.push(`${runtime} has ${capability}, but ${others(mw, capability, runtime, eventType)}`);
    else whys.push(`${eventType} is an origin event: CloudFront Functions run only at viewer events`);
    whys.push(le ? `nor on Lambda@Edge: ${le.why}` : `Lambda@Edge has ${capability}, but ${others(mw, capability, 'lambda', eventType)}`);
    const fixes = [...new Set([cf?.fix, le?.fix].filter((f): f is string => !!f).flatMap((f) => f.split(/, or |; or /)))]
      .map((f) => f.trim())
      // auto picks the target itself: a fix that names one is the other runtime, already tried.
      .filter((f) => !/--target\b/.test(f) || /--runtime/.test(f))
      .map((f) => f.replace(/^use --target cf --runtime cloudfront-js-2\.0$/, 'use --runtime cloudfront-js-2.0'));
    return {
      middleware: mw.name, capability, target: 'auto' as const,
      why: `no placement runs it at ${eventType}: ${whys.join('; ')}`,
      fix: [...new Set(fixes)].join(', or ') || 'split the middleware in two',
    };
  });
}

function reason(target: TargetName, eventType: EventType, capability: Capability): { why: string; fix: string } {
  const profile = profileFor(target, eventType)!;
  return profile.lacks[capability as keyof typeof profile.lacks] ?? { why: `${target} does not offer ${capability} at ${eventType}`, fix: 'split the middleware in two' };
}

function others(mw: Middleware, capability: Capability, target: TargetName, eventType: EventType): string {
  const lacks = missing(mw, target, eventType).filter((c) => c !== capability);
  return `the middleware also needs ${lacks.join(', ')}, which ${where(target)} lacks`;
}

function dedupe(violations: Violation[]): Violation[] {
  const seen = new Set<string>();
  return violations.filter((v) => {
    const key = `${v.middleware} ${v.capability} ${v.why}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** One artifact of an auto build: the event type, its target, and the pipeline whose build for that target holds it. */
export interface AutoPart {
  eventType: EventType;
  target: TargetName;
  /**
   * The hooks that run in this event type's function, each pinned where the plan put it: for a
   * request event, with the response hooks its answers run through (CloudFront skips the
   * response events for an answer). Build it for `target` and keep only the artifact of `eventType`.
   */
  pipeline: Pipeline<Capability>;
}

/** The pipeline of each artifact of an auto plan (see AutoPart). */
export function autoParts(plan: Extract<AutoPlan, { ok: true }>): AutoPart[] {
  return plan.events.map(({ eventType, target }) => {
    const members: Middleware[] = [];
    if (isRequestEvent(eventType)) {
      const answering = plan.placements.filter((p) => p.request === eventType);
      const last = answering[answering.length - 1].index;
      for (const p of plan.placements) {
        const request = p.request === eventType ? eventType : undefined;
        // On CloudFront Functions every response hook is at viewer-response, which an answer at viewer-request runs through.
        const through = p.response && p.index < last && skipsResponse(eventType, p.response);
        const response = through ? (isCfTarget(target) ? 'viewer-response' : p.response) : undefined;
        if (request || response) members.push(pinned(p.middleware, request, response));
      }
    } else {
      for (const p of plan.placements) if (p.response === eventType) members.push(pinned(p.middleware, undefined, eventType));
    }
    return { eventType, target, pipeline: new Pipeline(members) };
  });
}

/** The middleware with only the hooks given, each pinned to its event type. */
function pinned(mw: Middleware, request: RequestEventType | undefined, response: ResponseEventType | undefined): Middleware {
  return Object.freeze({
    ...mw,
    // An event type in needs places the hook itself: keep only the pinned ones.
    needs: Object.freeze(mw.needs.filter((n) => !isEventType(n) || n === request || n === response)),
    request: request ? mw.request : undefined,
    response: response ? mw.response : undefined,
    runsAt: { request: request ? [request] : mw.runsAt.request, response: response ? [response] : mw.runsAt.response },
  });
}
