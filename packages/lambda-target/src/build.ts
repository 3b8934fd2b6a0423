import {
  ConfigError, PROFILES, emitDirect, emitHandler, eventTypesOf, isRequestEvent, planPipeline,
  type Artifact, type BuildResult, type Capability, type EmittedHandler, type EventType,
  type Pipeline, type Placement, type SupportedBy, type Violation,
} from '@edgeline/core';
import type { Message } from 'esbuild';
import { bundleHandler, type Bundle, type NodeRuntime } from './bundle.js';
import { guardOptions } from './deadline.js';
import { hookViolations, scanPlacements, type ScannedHook } from './scan-hooks.js';
import { sizeViolation } from './size.js';
import { zipArtifact } from './zip.js';

export interface LambdaBuildOptions {
  pipeline: Pipeline<SupportedBy<'lambda'>>;
  /** Default `nodejs22.x` (`DEFAULT_NODE_RUNTIME`); `nodejs24.x` accepted. */
  node?: NodeRuntime;
  /** Default true; false keeps the artifact readable. */
  minify?: boolean;
  /**
   * Default true: an event type whose every hook has hand-written Lambda@Edge code
   * (`direct.lambda` of its middleware) uses it. False always emits the context-based handler.
   */
  direct?: boolean;
  /** Where the hooks' `require('...')` resolve from; default the working directory. */
  resolveDir?: string;
  /**
   * How long hooks that await may take before the handler answers without them (504 on request
   * triggers, the response unchanged on response triggers). Default: the trigger's timeout less
   * a margin, 4.5 s viewer and 29 s origin.
   */
  deadlineMs?: number;
}

/** The code emitted for one event type, on its way to an artifact. */
interface Draft {
  eventType: EventType;
  emitted: EmittedHandler;
  bundle: Bundle;
}

/** The runtime a Lambda@Edge handler is built for when none is given. */
export const DEFAULT_NODE_RUNTIME: NodeRuntime = 'nodejs22.x';
export const NODE_RUNTIMES: readonly NodeRuntime[] = ['nodejs22.x', 'nodejs24.x'];
/**
 * Runtimes AWS no longer takes for new functions, with why: refused with the date in the message.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html#runtime-support-policy
 */
export const RETIRED_NODE_RUNTIMES: Readonly<Record<string, string>> = {
  'nodejs20.x': 'AWS deprecated nodejs20.x on 2026-04-30 and blocks it for new functions from 2026-08-31',
  'nodejs18.x': 'AWS deprecated nodejs18.x on 2025-09-01',
};

/**
 * Builds one Lambda@Edge handler per event type the pipeline uses, or says why it cannot.
 * Steps: place hooks -> scan hooks -> emit glue -> bundle with the guard -> zip -> check size.
 * @example
 * const result = await buildLambda({ pipeline: edge().use(jwtVerify({ jwksUrl })), node: 'nodejs22.x' });
 * if (result.ok) for (const a of result.artifacts) await writeFile(a.zipFile!, a.zip!);
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-at-the-edge.html
 */
export async function buildLambda(options: LambdaBuildOptions): Promise<BuildResult> {
  const node = checkOptions(options);
  const pipeline = options.pipeline as Pipeline<Capability>;
  const plan = planPipeline(pipeline, 'lambda');
  if (!plan.ok) return rejected(plan.violations);
  const scanned = scanPlacements(plan.placements);
  const refused = hookViolations(scanned);
  if (refused.length) return rejected(refused);

  const violations: Violation[] = [];
  const artifacts: Artifact[] = [];
  for (const eventType of eventTypesOf(plan.placements)) {
    const draft = await draftFor(plan.placements, eventType, node, options);
    if ('errors' in draft) {
      violations.push(...bundleViolations(draft.errors, eventType, scanned, options.resolveDir));
      continue;
    }
    const artifact = artifactOf(plan.placements, draft, node);
    const tooBig = await sizeViolation({
      eventType, bytes: artifact.bytes, zippedBytes: artifact.zippedBytes!, limitBytes: artifact.limitBytes,
      shares: draft.bundle.shares, hooks: draft.emitted.hooks, middleware: pipeline.middleware, minify: options.minify !== false,
    });
    if (tooBig) violations.push(tooBig);
    else artifacts.push(artifact);
  }
  return violations.length ? rejected(violations) : { ok: true, target: 'lambda', artifacts };
}

function checkOptions(options: LambdaBuildOptions): NodeRuntime {
  const node = options.node ?? DEFAULT_NODE_RUNTIME;
  const retired = RETIRED_NODE_RUNTIMES[String(node)];
  if (retired) throw new ConfigError('node', `must be ${NODE_RUNTIMES.join(' or ')}: ${retired}`);
  if (NODE_RUNTIMES.indexOf(node) < 0) throw new ConfigError('node', `must be ${NODE_RUNTIMES.join(' or ')} (got ${String(node)})`);
  const d = options.deadlineMs;
  if (d !== undefined && !(typeof d === 'number' && d > 0 && Number.isFinite(d))) throw new ConfigError('deadlineMs', `must be a positive number of milliseconds (got ${String(d)})`);
  return node;
}

function rejected(violations: Violation[]): BuildResult {
  return { ok: false, target: 'lambda', violations };
}

async function draftFor(
  placements: Placement[], eventType: EventType, node: NodeRuntime, options: LambdaBuildOptions,
): Promise<Draft | { errors: Message[] }> {
  const probe = emitHandler({ placements, eventType, shape: 'lambda', runtime: '@edgeline/core/runtime', async: true });
  const awaits = probe.hooks.some((h) => needs(placements[h.index], 'async') || needs(placements[h.index], 'network') || /^async\b/.test(h.source));
  // Synchronous hooks get a synchronous handler: an await per hook costs a microtask per request.
  const emitted = awaits
    ? probe
    : (options.direct !== false ? emitDirect({ placements, eventType, shape: 'lambda' }) : undefined) ??
      emitHandler({ placements, eventType, shape: 'lambda', runtime: '@edgeline/core/runtime', async: false });
  const result = await bundleHandler({
    emitted, node,
    guard: guardOptions(eventType, awaits, options.deadlineMs),
    minify: options.minify !== false,
    resolveDir: options.resolveDir ?? process.cwd(),
  });
  return result.ok ? { eventType, emitted, bundle: result.bundle } : { errors: result.errors };
}

function artifactOf(placements: Placement[], draft: Draft, node: NodeRuntime): Artifact {
  const { eventType, emitted, bundle } = draft;
  const zip = zipArtifact(bundle.code);
  const artifact: Artifact = {
    eventType,
    runtime: node,
    file: `${eventType}/index.js`,
    code: bundle.code,
    bytes: Buffer.byteLength(bundle.code),
    limitBytes: PROFILES[eventType.indexOf('viewer') === 0 ? 'lambda-viewer' : 'lambda-origin'].limits.maxBytes,
    middleware: [...new Set(emitted.hooks.map((h) => h.middleware))],
    capabilities: capabilitiesOf(placements, draft),
    // CloudFront sends the body only to a request trigger whose association says includeBody.
    includeBody: isRequestEvent(eventType) && placements.some((p) => p.request === eventType && needs(p, 'body')),
    zipFile: `${eventType}.zip`,
    zippedBytes: zip.length,
    zip,
  };
  if (bundle.external.length) artifact.external = bundle.external;
  return artifact;
}

function needs(p: Placement, capability: Capability): boolean {
  return (p.middleware.needs as readonly Capability[]).indexOf(capability) >= 0;
}

function capabilitiesOf(placements: Placement[], draft: Draft): Capability[] {
  const caps = new Set<Capability>([draft.eventType]);
  for (const h of draft.emitted.hooks) for (const c of placements[h.index].middleware.needs) caps.add(c);
  return [...caps];
}

/** An error from esbuild, named after the middleware whose code caused it when that can be told. */
function bundleViolations(errors: Message[], eventType: EventType, scanned: readonly ScannedHook[], resolveDir: string | undefined): Violation[] {
  return errors.map((m) => {
    const module = /Could not resolve "([^"]+)"/.exec(m.text)?.[1];
    const from = scanned.filter((s) => (module
      ? s.findings.some((f) => f.module === module || f.module === module.replace(/^node:/, ''))
      : !!m.location && (s.placement.middleware[s.hook] ?? '').toString().indexOf(m.location.lineText.trim()) >= 0));
    const names = [...new Set(from.map((s) => s.placement.middleware.name))];
    const where = module ? `require('${module}')` : m.location ? m.location.lineText.trim().slice(0, 80) : undefined;
    return {
      middleware: names.join(', ') || '(bundle)',
      capability: null,
      ...(where ? { construct: where } : {}),
      target: 'lambda' as const,
      why: module
        ? `the ${eventType} handler cannot be bundled: '${module}' is not installed where the build resolves modules (${resolveDir ?? process.cwd()})`
        : `the ${eventType} handler cannot be bundled: ${m.text}`,
      fix: module ? `npm install ${module} in the project, or pass resolveDir: the folder whose node_modules has it` : "fix the middleware's code",
    };
  });
}
