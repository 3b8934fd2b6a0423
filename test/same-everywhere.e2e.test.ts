import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CF_RUNTIME, toOutcome, type Capability, type EventType, type Outcome, type Pipeline } from '@edgeline/core';
import { eventFor, runPipeline } from '@edgeline/core/testing';
import type { CffEvent, LeEvent } from '@edgeline/core/runtime';
import { buildCf, runInEmulator, runInNjs } from '@edgeline/cf-target';
import { buildLambda, runLambdaArtifact } from '@edgeline/lambda-target';
import { cacheKeyFromBasicAuth, geoRedirect, jwtVerify, originSelect, securityHeaders } from '@edgeline/middleware';
import { JWT_SECRET, mixedCases } from './mixed-events';
import type { Case } from './equivalence';

// Issue 11, "same result everywhere": for every example and every built-in (option combinations
// included), on seeded random and hostile events of every event type, the TypeScript source run,
// the vm emulator, njs and the Lambda@Edge artifact give the same outcome; and the CloudFront
// Function and the Lambda@Edge artifact agree with each other where both event shapes can say it.

type CfRuntime = 'cloudfront-js-1.0' | 'cloudfront-js-2.0';
interface Subject {
  name: string;
  pipeline: Pipeline<Capability>;
  cf: CfRuntime[];
  lambda: boolean;
}

/** Events per artifact, each event type: 300 or more. */
const PER_ARTIFACT = 300;
const ROOT = join(__dirname, '..', 'examples');

async function examples(): Promise<Subject[]> {
  const out: Subject[] = [];
  for (const name of readdirSync(ROOT).sort()) {
    const file = join(ROOT, name, 'example.json');
    if (!existsSync(file)) continue;
    const spec = JSON.parse(readFileSync(file, 'utf8')) as { targets: string[]; runEvents?: boolean; random?: boolean };
    // `random`: outcomes drawn with Math.random (abTest), which each engine draws on its own;
    // its own tests compare the engines where the outcome is decided, and the draw's uniformity.
    if (spec.runEvents === false || spec.random) continue;
    const mod = (await import(join(ROOT, name, 'edge.ts'))) as { default: Pipeline<Capability> };
    out.push({
      name: `example ${name}`,
      pipeline: mod.default,
      cf: spec.targets.filter((t) => t.startsWith('cf')).map((t) => (t === 'cf' ? DEFAULT_CF_RUNTIME : (t.slice(3) as CfRuntime))),
      lambda: spec.targets.includes('lambda'),
    });
  }
  return out;
}

const both: CfRuntime[] = ['cloudfront-js-1.0', 'cloudfront-js-2.0'];

async function builtIns(): Promise<Subject[]> {
  const { edge } = await import('@edgeline/core');
  const one = (name: string, mw: Parameters<Pipeline<never>['use']>[0], cf: CfRuntime[] = both, lambda = true): Subject => ({ name, pipeline: edge().use(mw) as Pipeline<Capability>, cf, lambda });
  return [
    one('geoRedirect issue-11 options', geoRedirect({ countries: ['de', 'it', 'fr'] })),
    one('geoRedirect fallback, 302', geoRedirect({ countries: ['de', 'fr'], fallback: 'en', status: 302 })),
    one('cacheKeyFromBasicAuth defaults', cacheKeyFromBasicAuth()),
    one('cacheKeyFromBasicAuth sha256, own header', cacheKeyFromBasicAuth({ header: 'x-user-key', hash: 'sha256' })),
    one('securityHeaders defaults', securityHeaders()),
    one('securityHeaders csp, cors', securityHeaders({ contentSecurityPolicy: "default-src 'self'", cors: '*' })),
    one('jwtVerify HS256', jwtVerify({ algorithms: ['HS256'], secret: JWT_SECRET })),
    one('jwtVerify HS256, issuer, no strip', jwtVerify({ algorithms: ['HS256'], secret: JWT_SECRET, issuer: 'https://issuer.example', strip: false })),
    one('originSelect by country and header', originSelect({
      byCountry: { DE: { s3: { bucket: 'assets-eu', region: 'eu-central-1' } } },
      byHeader: { 'x-pool': { blue: { custom: { domainName: 'blue.example.com' } } } },
      default: { custom: { domainName: 'origin.example.com', path: '/v1' } },
    }), ['cloudfront-js-2.0']),
  ];
}

/**
 * The parts both event shapes express the same way. A forwarded CloudFront Functions query
 * string is an object: it cannot tell `a=` from `a`, keeps no empty pairs and groups a repeated
 * name. An answer is compared as it is on cloudfront-js-2.0, whose request has the query string
 * as sent (`rawQueryString()`), as Lambda@Edge's has: a Location made from it is the same text.
 * On 1.0 hooks see only the object, so there a Location's query string is compared as the object
 * says it (`queryAsObject`).
 */
function comparable(o: Outcome, queryAsObject = false) {
  if (o.kind === 'forward') return { kind: o.kind, uri: o.request.uri, querystring: asObject(o.request.querystring), headers: o.request.headers, origin: o.origin };
  const headers = queryAsObject && o.response.headers.location
    ? { ...o.response.headers, location: o.response.headers.location.map(locationAsObject) }
    : o.response.headers;
  return { kind: o.kind, status: o.response.status, body: o.response.body, headers };
}

function locationAsObject(location: string): string {
  const q = location.indexOf('?');
  if (q < 0) return location;
  const query = asObject(location.slice(q + 1));
  return query ? `${location.slice(0, q)}?${query}` : location.slice(0, q);
}

const label = (c: Case) => `${c.eventType} ${JSON.stringify(c.init).slice(0, 300)}`;
const subjects = [...(await examples()), ...(await builtIns())];

describe.each(subjects.map((s, i) => [s.name, s, i] as const))('same result everywhere: %s', (_name, subject, index) => {
  const seed = 1000 + index * 7;

  for (const runtime of subject.cf) {
    it(`CloudFront Function ${runtime}: source = vm emulator = njs, ${PER_ARTIFACT}+ events per artifact`, async () => {
      const result = await buildCf({ pipeline: subject.pipeline as Pipeline<never>, runtime });
      if (!result.ok) throw new Error(`cf build rejected: ${JSON.stringify(result.violations, null, 2)}`);
      for (const artifact of result.artifacts) {
        const eventType = artifact.eventType as 'viewer-request' | 'viewer-response';
        const cases = mixedCases(seed, PER_ARTIFACT, eventType, eventType);
        const events = cases.map((c) => eventFor('cff', eventType, c.init) as CffEvent);
        // The fixtures themselves (no runner changes its input): a copy would lose the request's
        // rawQueryString(), which every engine gives a 2.0 viewer-request function as CloudFront does.
        const runs = await runInNjs(artifact.code, events, { runtime });
        for (let i = 0; i < events.length; i++) {
          // Whether the hooks lower is checked once (the build did); per event it would only cost time.
          const source = await runPipeline(subject.pipeline, events[i], { target: runtime, portable: i === 0 });
          const vm = await runInEmulator(artifact.code, events[i], { runtime });
          const njs = runs[i];
          if (!vm.ok || !njs.ok) throw new Error(`${label(cases[i])}: ${JSON.stringify({ vm, njs }).slice(0, 600)}`);
          const fromVm = withOrigin(toOutcome(eventType, vm.result), vm.origin);
          const fromNjs = withOrigin(toOutcome(eventType, njs.result), njs.origin);
          expect(fromVm, `vm: ${label(cases[i])}`).toEqual({ ...source, raw: vm.result });
          expect(fromNjs, `njs: ${label(cases[i])}`).toEqual({ ...source, raw: njs.result });
        }
      }
    }, 120000);
  }

  if (subject.lambda) {
    it(`Lambda@Edge: source = artifact, and = the CloudFront Function where both shapes say it`, async () => {
      const result = await buildLambda({ pipeline: subject.pipeline as Pipeline<never> });
      if (!result.ok) throw new Error(`lambda build rejected: ${JSON.stringify(result.violations, null, 2)}`);
      for (const artifact of result.artifacts) {
        const eventType = artifact.eventType as EventType;
        const cases = mixedCases(seed, PER_ARTIFACT, eventType, eventType);
        for (const c of cases) {
          const event = eventFor('lambda', eventType, c.init) as LeEvent;
          const source = await runPipeline(subject.pipeline, structuredClone(event), { portable: false });
          const raw = await runLambdaArtifact(artifact.code, structuredClone(event));
          expect(toOutcome(eventType, raw), `lambda: ${label(c)}`).toEqual({ ...source, raw });
          if (eventType === 'viewer-request' || eventType === 'viewer-response') {
            for (const runtime of subject.cf) {
              const cf = await runPipeline(subject.pipeline, eventFor('cff', eventType, c.init) as CffEvent, { target: runtime, portable: false });
              const loose = runtime === 'cloudfront-js-1.0';
              expect(comparable(source, loose), `lambda vs ${runtime}: ${label(c)}`).toEqual(comparable(cf, loose));
            }
          }
        }
      }
    }, 120000);
  }
});

function asObject(query: string): string {
  const byName = new Map<string, string[]>();
  for (const part of query.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    byName.set(name, [...(byName.get(name) ?? []), value]);
  }
  return [...byName].flatMap(([name, values]) => values.map((v) => (v === '' ? name : `${name}=${v}`))).join('&');
}

function withOrigin(o: Outcome, origin: unknown): Outcome {
  if (origin && o.kind === 'forward') (o as { origin?: unknown }).origin = origin;
  return o;
}
