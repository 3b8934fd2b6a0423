import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { edge, toOutcome, type Middleware, type Pipeline } from '@edgeline/core';
import { eventFor, runPipeline, type EventInit } from '@edgeline/core/testing';
import type { CffEvent, LeEvent } from '@edgeline/core/runtime';
import { buildCf, runInNjs } from '@edgeline/cf-target';
import { buildLambda, runLambdaArtifact } from '@edgeline/lambda-target';
import { jwtVerify } from '.';

// Hostile requests on the built artifacts (issue 12 items 1 and 2): the CloudFront Functions
// (1.0 and 2.0, hand-written and derived from the hook) run in njs, the Lambda@Edge handler in
// Node, each also against the TypeScript source run by runPipeline.

const SECRET = 'a-shared-secret-of-at-least-32-bytes!';
const ISSUER = 'https://issuer.example';
const b64 = (o: unknown) => Buffer.from(typeof o === 'string' ? o : JSON.stringify(o)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

function token(payload: unknown, header: unknown = { alg: 'HS256', typ: 'JWT' }, secret = SECRET): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}
const good = () => token({ sub: 'u1', iss: ISSUER, exp: now() + 600 });
const bearer = (t: string) => 'Bearer ' + t;

/** Forged tokens a viewer can send for free: each must be a 401, and cheaply (see the bench). */
export function forgedTokens(): [what: string, value: string][] {
  const g = good();
  const [h, p, sig] = g.split('.');
  const bigHeader = b64({ alg: 'HS256', typ: 'JWT', pad: 'x'.repeat(11000) }); // 15 KB segment
  const wideHeader = b64({ alg: 'HS256', pad: 'x'.repeat(2000) }); // ~2.7 KB: under maxTokenLength, over the header bound
  return [
    ['a 15 KB header segment with a bad signature', bearer(`${bigHeader}.${p}.${sig}`)],
    ['a 15 KB header segment, validly signed', bearer(token({ sub: 'u1', iss: ISSUER, exp: now() + 600 }, { alg: 'HS256', pad: 'x'.repeat(11000) }))],
    ['a header segment over 2048 characters, validly signed', bearer(token({ sub: 'u1', iss: ISSUER, exp: now() + 600 }, JSON.parse(Buffer.from(wideHeader, 'base64url').toString())))],
    ['a bad signature', bearer(`${h}.${p}.${sig.slice(0, -2)}AA`)],
    ['a signature of the wrong length', bearer(`${h}.${p}.${sig}${sig}`)],
    ['a wrong alg (RS256)', bearer(token({ sub: 'u1', iss: ISSUER, exp: now() + 600 }, { alg: 'RS256' }))],
    ['alg none', bearer(`${b64({ alg: 'none' })}.${p}.`)],
    ['garbage', bearer('%%%.%%%.%%%')],
    ['7 KB of garbage in three parts', bearer(`${'!'.repeat(2000)}.${'~'.repeat(3000)}.${'*'.repeat(2000)}`)],
    ['a 15 KB payload', bearer(`${h}.${b64({ sub: 'u1', pad: 'y'.repeat(11000) })}.${sig}`)],
    ['20 KB of dots', bearer('.'.repeat(20000))],
    ['a 15 KB token without dots', bearer('A'.repeat(15000))],
  ];
}

type Run = { status: number | 'forward'; authorization?: string[] };

function fromCf(raw: unknown): Run {
  const r = raw as { statusCode?: number; headers: Record<string, { value: string; multiValue?: { value: string }[] }> };
  if (r.statusCode !== undefined) return { status: r.statusCode };
  const a = r.headers.authorization;
  return { status: 'forward', authorization: a ? (a.multiValue && a.multiValue.length ? a.multiValue.map((v) => v.value) : [a.value]) : undefined };
}
function fromLambda(raw: unknown): Run {
  const r = raw as { status?: string; headers: Record<string, { value: string }[]> };
  if (r.status !== undefined) return { status: Number(r.status) };
  const a = r.headers.authorization;
  return { status: 'forward', authorization: a ? a.map((v) => v.value) : undefined };
}

/** Each request through every built artifact and the source; the runs must agree, and are returned once. */
async function everywhere(mw: Middleware, inits: EventInit[]): Promise<Run[]> {
  const pipeline = edge().use(mw) as Pipeline<never>;
  const results: Run[][] = [];
  for (const runtime of ['cloudfront-js-1.0', 'cloudfront-js-2.0'] as const) {
    for (const direct of [true, false]) {
      const built = await buildCf({ pipeline, runtime, direct });
      if (!built.ok) throw new Error(JSON.stringify(built.violations));
      const code = built.artifacts[0].code;
      // The hand-written code decodes with the runtime's own decoder; the hook's has a loop.
      if (direct) expect(code).toContain(runtime === 'cloudfront-js-1.0' ? 'bytesFrom' : 'Buffer.from');
      const events = inits.map((i) => eventFor('cff', 'viewer-request', i) as CffEvent);
      const runs = await runInNjs(code, events.map((e) => structuredClone(e)), { runtime });
      const mine: Run[] = [];
      for (let i = 0; i < runs.length; i++) {
        const run = runs[i];
        expect(run.ok, `${runtime} direct=${direct} #${i}: ${JSON.stringify(run).slice(0, 300)}`).toBe(true);
        if (!run.ok) continue;
        const source = await runPipeline(pipeline, structuredClone(events[i]), { target: runtime });
        expect(toOutcome('viewer-request', run.result), `${runtime} direct=${direct} #${i}`).toEqual({ ...source, raw: run.result });
        mine.push(fromCf(run.result));
      }
      results.push(mine);
    }
  }
  for (const direct of [true, false]) {
    const built = await buildLambda({ pipeline, direct });
    if (!built.ok) throw new Error(JSON.stringify(built.violations));
    const mine: Run[] = [];
    for (const init of inits) {
      const event = eventFor('lambda', 'viewer-request', init) as LeEvent;
      const raw = await runLambdaArtifact(built.artifacts[0].code, structuredClone(event));
      const source = await runPipeline(pipeline, structuredClone(event));
      expect(toOutcome('viewer-request', raw), `lambda direct=${direct}`).toEqual({ ...source, raw });
      mine.push(fromLambda(raw));
    }
    results.push(mine);
  }
  for (const r of results.slice(1)) expect(r).toEqual(results[0]);
  return results[0];
}

describe('security: jwtVerify on the built artifacts (cf 1.0, cf 2.0, lambda)', () => {
  for (const strip of [true, false]) {
    it(`denies two Authorization values, the first one valid (strip: ${strip})`, async () => {
      const mw = jwtVerify({ algorithms: ['HS256'], secret: SECRET, issuer: ISSUER, strip });
      const forged = bearer(token({ sub: 'admin', exp: now() + 600 }, { alg: 'HS256' }, 'not-the-secret-not-the-secret-not!!'));
      const runs = await everywhere(mw, [
        { headers: { authorization: [bearer(good()), forged] } },
        { headers: { authorization: [forged, bearer(good())] } },
        { headers: { authorization: [bearer(good()), bearer(good())] } },
        { headers: { Authorization: bearer(good()), authorization: 'Basic YTpi' } },
        { headers: { authorization: [bearer(good())] } },
      ]);
      expect(runs.slice(0, 4).map((r) => r.status)).toEqual([401, 401, 401, 401]);
      expect(runs[4].status).toBe('forward');
      expect(runs[4].authorization).toEqual(strip ? undefined : [expect.stringMatching(/^Bearer /)]);
    });
  }

  it('denies forged tokens (15 KB header segment, bad signature, wrong alg, garbage), lets a valid one through', async () => {
    const mw = jwtVerify({ algorithms: ['HS256'], secret: SECRET, issuer: ISSUER });
    const forged = forgedTokens();
    const runs = await everywhere(mw, [...forged.map(([, authorization]) => ({ headers: { authorization } })), { headers: { authorization: bearer(good()) } }]);
    expect(runs.map((r) => r.status)).toEqual([...forged.map(() => 401), 'forward']);
  });

  it('denies a token over maxTokenLength before decoding it, and accepts one at the limit', async () => {
    const pad = (n: number) => {
      // A valid token of exactly n characters: the payload is padded.
      let t = good();
      let extra = 0;
      while (t.length < n) t = token({ sub: 'u1', iss: ISSUER, exp: now() + 600, p: 'z'.repeat(++extra) });
      return t;
    };
    const at = pad(900);
    const mw = jwtVerify({ algorithms: ['HS256'], secret: SECRET, issuer: ISSUER, maxTokenLength: at.length });
    const runs = await everywhere(mw, [{ headers: { authorization: bearer(at) } }, { headers: { authorization: bearer(pad(at.length + 1)) } }]);
    expect(runs.map((r) => r.status)).toEqual(['forward', 401]);
  });

  it("verifies tokens of the issuer '__proto__' and audience 'constructor' (compared, never looked up)", async () => {
    const mw = jwtVerify({ algorithms: ['HS256'], secret: SECRET, issuer: '__proto__', audience: 'constructor' });
    const runs = await everywhere(mw, [
      { headers: { authorization: bearer(token({ iss: '__proto__', aud: 'constructor', exp: now() + 600 })) } },
      { headers: { authorization: bearer(token({ iss: '__proto__', aud: ['x', 'constructor'], exp: now() + 600 })) } },
      { headers: { authorization: bearer(token({ iss: 'constructor', aud: 'constructor', exp: now() + 600 })) } },
      { headers: { authorization: bearer(token({ iss: '__proto__', aud: 'toString', exp: now() + 600 })) } },
    ]);
    expect(runs.map((r) => r.status)).toEqual(['forward', 'forward', 401, 401]);
  });
});
