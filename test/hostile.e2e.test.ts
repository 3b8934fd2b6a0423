import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CF_RUNTIME, type CfRuntime, type Pipeline } from '@edgeline/core';
import { buildCf, hasNjs, runInNjs } from '@edgeline/cf-target';
import { hostileEvents, issue11Event } from './hostile-events';

// Issues 11 and 12: every example's CloudFront Function, built for each runtime the example
// supports, answers hostile events in njs (the engine CloudFront Functions share) without
// hanging, throwing or returning a result CloudFront refuses (runInNjs checks results as
// CloudFront does). Each njs batch has a timeout: a hang fails the test naming the event.

const EXAMPLES = join(__dirname, '..', 'examples');
const SEEDS = [11, 12];
const PER_SEED = 150;
const njs = await hasNjs();

interface Case {
  example: string;
  runtime: CfRuntime;
  /** Listed in example.json (a 2.0 build of an example that lists only `cf` is tried as well). */
  listed: boolean;
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const example of readdirSync(EXAMPLES).sort()) {
    const config = join(EXAMPLES, example, 'example.json');
    if (!existsSync(config)) continue;
    const { targets } = JSON.parse(readFileSync(config, 'utf8')) as { targets: string[] };
    const cf = targets.filter((t) => t === 'cf' || t.startsWith('cf:')).map((t) => (t === 'cf' ? DEFAULT_CF_RUNTIME : t.slice(3)) as CfRuntime);
    if (!cf.length) continue;
    for (const runtime of ['cloudfront-js-1.0', 'cloudfront-js-2.0'] as const) out.push({ example, runtime, listed: cf.includes(runtime) });
  }
  return out;
}

describe.skipIf(!njs)('hostile events through every example CloudFront Function (njs, with a timeout)', () => {
  it('covers the examples with a CloudFront Functions target', () => {
    expect(new Set(cases().map((c) => c.example)).size).toBeGreaterThanOrEqual(5);
  });

  for (const { example, runtime, listed } of cases()) {
    it(`${example} on ${runtime}${listed ? '' : ' (not in example.json: run when it builds)'}`, async () => {
      const pipeline = (await import(join(EXAMPLES, example, 'edge.ts'))).default as Pipeline<never>;
      const built = await buildCf({ pipeline, runtime });
      if (!built.ok) {
        expect(listed, `${example} does not build for ${runtime}: ${JSON.stringify(built.violations)}`).toBe(false);
        return;
      }
      let runs = 0;
      const failures: string[] = [];
      for (const artifact of built.artifacts) {
        const eventType = artifact.eventType as 'viewer-request' | 'viewer-response';
        const events = SEEDS.flatMap((seed) => hostileEvents(seed, PER_SEED, eventType));
        const results = await runInNjs(artifact.code, events.map((e) => e.event), { runtime, timeoutMs: 8000, eventTimeoutMs: 2000 });
        expect(results).toHaveLength(events.length);
        results.forEach((r, i) => {
          runs++;
          if (!r.ok) failures.push(`${eventType} ${events[i].name}: ${r.error.slice(0, 500)}\n  event: ${JSON.stringify(events[i].event).slice(0, 400)}`);
        });
      }
      expect(runs).toBeGreaterThan(0);
      // 0 hangs (a timeout error), 0 uncaught throws, 0 results CloudFront refuses.
      expect(failures, failures.join('\n')).toEqual([]);
    }, 120000);
  }
});

describe('hostile events', () => {
  it('are the same for a seed, and include the event of issue 11 and the limits', () => {
    expect(JSON.stringify(hostileEvents(3, 20, 'viewer-request'))).toBe(JSON.stringify(hostileEvents(3, 20, 'viewer-request')));
    const names = hostileEvents(3, 20, 'viewer-request').map((e) => e.name);
    expect(names).toContain('issue 11 item 1');
    expect(names).toContain('limit: 1,000 distinct parameters');
    expect(hostileEvents(3, 20, 'viewer-request').find((e) => e.name === 'issue 11 item 1')!.event).toEqual(issue11Event());
    // Every URL within CloudFront's 8,192 bytes (the query string as the event would give it back).
    for (const { name, event } of [...hostileEvents(3, 50, 'viewer-request'), ...hostileEvents(3, 50, 'viewer-response')]) {
      const q = event.request.querystring as Record<string, { value: string; multiValue?: { value: string }[] }>;
      const query = Object.keys(q).flatMap((k) => (q[k].multiValue ?? [q[k]]).map((v) => (v.value ? `${k}=${v.value}` : k))).join('&');
      expect(Buffer.byteLength(event.request.uri + '?' + query), name).toBeLessThanOrEqual(8192);
    }
  });
});
