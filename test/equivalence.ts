import { expect } from 'vitest';
import { toOutcome, type Capability, type EventType, type Pipeline } from '@edgeline/core';
import { runPipeline, eventFor, type EventInit } from '@edgeline/core/testing';
import type { CffEvent, LeEvent } from '@edgeline/core/runtime';
import { buildCf, runInNjs } from '@edgeline/cf-target';
import { buildLambda, runLambdaArtifact } from '@edgeline/lambda-target';

export interface Case {
  eventType: EventType;
  init: EventInit;
}

type CfRuntime = 'cloudfront-js-1.0' | 'cloudfront-js-2.0';

/**
 * The proof that lowering keeps meaning: for each case, the artifact's result (njs for
 * CloudFront Functions, a fresh Node context for Lambda@Edge) equals the in-process run of
 * the source, after normalising both shapes to one outcome.
 */
export async function expectCfMatchesSource(
  pipeline: Pipeline<Capability>, cases: Case[], runtime: CfRuntime, kvs?: Record<string, string>, options: { direct?: boolean } = {},
): Promise<void> {
  const result = await buildCf({ pipeline: pipeline as Pipeline<never>, runtime, direct: options.direct });
  if (!result.ok) throw new Error(`cf build rejected: ${JSON.stringify(result.violations, null, 2)}`);
  for (const eventType of ['viewer-request', 'viewer-response'] as const) {
    const mine = cases.filter((c) => c.eventType === eventType);
    if (!mine.length) continue;
    const artifact = result.artifacts.find((a) => a.eventType === eventType);
    const events = mine.map((c) => eventFor('cff', eventType, c.init) as CffEvent);
    if (!artifact) {
      // No hook at this event type: CloudFront runs no function, the source run must be a no-op.
      for (const event of events) {
        const source = await runPipeline(pipeline, structuredClone(event), { target: runtime, kvs });
        expect(source.raw).toEqual(eventType === 'viewer-request' ? event.request : event.response);
      }
      continue;
    }
    const runs = await runInNjs(artifact.code, events.map((e) => structuredClone(e)), { runtime, kvs });
    for (let i = 0; i < events.length; i++) {
      const source = await runPipeline(pipeline, structuredClone(events[i]), { target: runtime, kvs });
      const run = runs[i];
      expect(run.ok, `${runtime} ${eventType} ${JSON.stringify(mine[i].init).slice(0, 200)}: ${JSON.stringify(run)}`).toBe(true);
      if (!run.ok) continue;
      const outcome = toOutcome(eventType, run.result);
      if (run.origin) (outcome as { origin?: unknown }).origin = run.origin;
      expect(outcome, `${runtime} ${eventType} ${JSON.stringify(mine[i].init).slice(0, 200)}`).toEqual({ ...source, raw: run.result });
    }
  }
}

export async function expectLambdaMatchesSource(pipeline: Pipeline<Capability>, cases: Case[], options: { direct?: boolean } = {}): Promise<void> {
  const result = await buildLambda({ pipeline: pipeline as Pipeline<never>, direct: options.direct });
  if (!result.ok) throw new Error(`lambda build rejected: ${JSON.stringify(result.violations, null, 2)}`);
  for (const c of cases) {
    const event = eventFor('lambda', c.eventType, c.init) as LeEvent;
    const source = await runPipeline(pipeline, structuredClone(event));
    const artifact = result.artifacts.find((a) => a.eventType === c.eventType);
    if (!artifact) {
      const cf = event.Records[0].cf;
      expect(source.raw).toEqual(c.eventType.endsWith('request') ? cf.request : cf.response);
      continue;
    }
    const raw = await runLambdaArtifact(artifact.code, structuredClone(event));
    expect(toOutcome(c.eventType, raw), `lambda ${c.eventType} ${JSON.stringify(c.init).slice(0, 200)}`).toEqual({ ...source, raw });
  }
}
