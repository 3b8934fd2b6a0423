import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { defineMiddleware, edge, toOutcome, type Middleware, type Pipeline } from '@edgeline/core';
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

type Run = { status: number | 'forward'; authorization?: string[]; location?: string; query?: string[] };

function fromCf(raw: unknown): Run {
  const r = raw as { statusCode?: number; headers: Record<string, { value: string; multiValue?: { value: string }[] }>; querystring: Record<string, unknown> };
  if (r.statusCode !== undefined) return r.headers.location ? { status: r.statusCode, location: r.headers.location.value } : { status: r.statusCode };
  const a = r.headers.authorization;
  return { status: 'forward', authorization: a ? (a.multiValue && a.multiValue.length ? a.multiValue.map((v) => v.value) : [a.value]) : undefined, query: Object.keys(r.querystring || {}).sort() };
}
function fromLambda(raw: unknown): Run {
  const r = raw as { status?: string; headers: Record<string, { value: string }[]>; querystring: string };
  if (r.status !== undefined) return r.headers.location ? { status: Number(r.status), location: r.headers.location[0].value } : { status: Number(r.status) };
  const a = r.headers.authorization;
  const query = r.querystring ? [...new Set(r.querystring.split('&').filter(Boolean).map((p) => p.split('=')[0]))].sort() : [];
  return { status: 'forward', authorization: a ? a.map((v) => v.value) : undefined, query };
}

/** The same middleware without its hand-written code: the build derives code from the hook. */
function derivedOnly(mw: Middleware): Middleware {
  return defineMiddleware({ name: mw.name, needs: mw.needs as never, config: mw.config as never, request: mw.request as never, onError: mw.onError });
}
const PATHS = ['direct', 'derived', 'context'] as const;

/**
 * Each request through every built artifact (CloudFront Functions 1.0 and 2.0: the hand-written
 * code, the code derived from the hook, the context-based handler; Lambda@Edge: derived and
 * context-based) and the source; the runs must agree, and are returned once. `locations: false`
 * leaves the Location out of the comparison across runtimes (1.0 rebuilds the query string).
 */
async function everywhere(mw: Middleware, inits: EventInit[], { locations = true } = {}): Promise<Run[]> {
  const results: Run[][] = [];
  const strip = (runs: Run[]) => (locations ? runs : runs.map(({ location: _, ...r }) => r));
  for (const runtime of ['cloudfront-js-1.0', 'cloudfront-js-2.0'] as const) {
    for (const path of PATHS) {
      const pipeline = edge().use(path === 'derived' ? derivedOnly(mw) : mw) as Pipeline<never>;
      const built = await buildCf({ pipeline, runtime, direct: path !== 'context' });
      if (!built.ok) throw new Error(JSON.stringify(built.violations));
      const code = built.artifacts[0].code;
      const direct = path === 'direct';
      // The hand-written code decodes with the runtime's own decoder; the hook's has a loop.
      if (direct) expect(code).toContain(runtime === 'cloudfront-js-1.0' ? 'bytesFrom' : 'Buffer.from');
      if (path === 'derived') expect(code).not.toContain(runtime === 'cloudfront-js-1.0' ? 'bytesFrom' : 'Buffer.from');
      const events = inits.map((i) => eventFor('cff', 'viewer-request', i) as CffEvent);
      const runs = await runInNjs(code, events.map((e) => structuredClone(e)), { runtime });
      const mine: Run[] = [];
      for (let i = 0; i < runs.length; i++) {
        const run = runs[i];
        expect(run.ok, `${runtime} direct=${direct} #${i}: ${JSON.stringify(run).slice(0, 300)}`).toBe(true);
        if (!run.ok) continue;
        const source = await runPipeline(pipeline, structuredClone(events[i]), { target: runtime });
        expect(toOutcome('viewer-request', run.result), `${runtime} ${path} #${i}`).toEqual({ ...source, raw: run.result });
        mine.push(fromCf(run.result));
      }
      results.push(runtime === 'cloudfront-js-2.0' ? mine : strip(mine));
    }
  }
  const pipeline = edge().use(mw) as Pipeline<never>;
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
  // 1.0's rows (the first three) left out the Location when asked; the others are compared whole.
  for (const r of results.slice(1)) expect(strip(r)).toEqual(strip(results[0]));
  for (const r of results.slice(4)) expect(r).toEqual(results[3]);
  return results[3];
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

// ---------------------------------------------------------------------------------------------
// The options of issue 17 (token, requireExp, maxAge, unauthorized.redirect) on seeded random
// requests: the token in the header, a cookie or the query string (once, twice, nowhere), valid,
// expired, without exp or iat, forged, oversized, encoded; odd paths and query strings.

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LOGIN = 'https://login.example/oauth2/authorize?client_id=abc';
const PATHS_SEEN = ['/', '/app/orders', '/a b/c', '/caf\u00e9/\u4e2d', '/x\r\nset-cookie: a=1', '/p#frag', '/a&redirect_uri=//evil', '/%zz/%2F', '/' + 'l'.repeat(2100), '//evil.example/x'];
const QUERIES = ['', 'a=1', 'a=1&a=2&b', 'q=%E4%B8%AD&x=a+b', 'next=%2F%2Fevil&utm_source=news', 'x=' + 'v'.repeat(1500)];

function randomRequests(seed: number, n: number, name: string): EventInit[] {
  const rnd = mulberry32(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)];
  const t = now();
  const kinds: (() => string)[] = [
    () => token({ sub: 'u1', iss: ISSUER, exp: t + 600, iat: t - 10 }),
    () => token({ sub: 'u1', iss: ISSUER, exp: t + 600, iat: t - 10 }),
    () => token({ sub: 'u1', iss: ISSUER, exp: t - 600, iat: t - 1000 }),
    () => token({ sub: 'u1', iss: ISSUER, iat: t - 10 }),
    () => token({ sub: 'u1', iss: ISSUER, iat: t - 1000 }),
    () => token({ sub: 'u1', iss: ISSUER }),
    () => token({ sub: 'u1', iss: ISSUER, iat: t + 100 }),
    () => token({ sub: 'u1', iss: ISSUER, iat: String(t) }),
    () => token({ sub: 'u1', iss: ISSUER, exp: t + 600, iat: t - 3 }).slice(0, -3) + 'AAA',
    () => token({ sub: 'u1', iss: ISSUER, exp: t + 600, iat: t - 10 }, { alg: 'none' }),
    () => token({ sub: 'u1', iss: ISSUER, exp: t + 600, iat: t - 10, pad: 'p'.repeat(7000) }),
    () => '%%%.%%%.%%%',
    () => token({ sub: 'u1', iss: ISSUER, exp: t + 600, iat: t - 10 }).replace('.', '%2E'),
    () => token({ sub: 'u1', iss: ISSUER, exp: t + 600, iat: t - 10 }).replace('.', '+.'),
    () => ' ' + token({ sub: 'u1', iss: ISSUER, exp: t + 600, iat: t - 10 }) + ' ',
  ];
  const out: EventInit[] = [];
  for (let i = 0; i < n; i++) {
    const tok = pick(kinds)();
    const where = pick(['header', 'cookie', 'query', 'cookie', 'query', 'cookie twice', 'query twice', 'nowhere', 'everywhere'] as const);
    const init: EventInit = { uri: pick(PATHS_SEEN), headers: {}, cookies: { theme: 'dark' } };
    let query = pick(QUERIES);
    const add = (q: string) => (query = query ? query + '&' + q : q);
    if (where === 'header' || where === 'everywhere') init.headers = { authorization: bearer(tok) };
    if (where === 'cookie' || where === 'everywhere') init.cookies = { theme: 'dark', [name]: tok };
    if (where === 'cookie twice') init.cookies = { [name]: [tok, tok] };
    if (where === 'query' || where === 'everywhere') add(`${name}=${tok}`);
    if (where === 'query twice') add(`${name}=${tok}&${name}=${tok}`);
    init.querystring = query;
    out.push(init);
  }
  return out;
}

describe('jwtVerify token sources, requireExp, maxAge and unauthorized.redirect on the built artifacts', () => {
  const configs: [string, Parameters<typeof jwtVerify>[0], string][] = [
    ['a cookie, a login page', { algorithms: ['HS256'], secret: SECRET, issuer: ISSUER, token: { cookie: 'id_token' }, unauthorized: { redirect: LOGIN } }, 'id_token'],
    ['a query parameter, no exp, maxAge 300, stripped', { algorithms: ['HS256'], secret: SECRET, issuer: ISSUER, token: { query: 'token' }, requireExp: false, maxAge: 300 }, 'token'],
    ['the header, a login path, maxAge 60 with exp required, kept', { algorithms: ['HS256'], secret: SECRET, token: 'bearer', unauthorized: { redirect: '/login?' }, maxAge: 60, clockTolerance: 5, strip: false }, 'token'],
  ];
  configs.forEach(([what, options, name], k) => {
    it(`gives the same answers everywhere for ${what} (seeded random requests)`, async () => {
      const inits = randomRequests(1700 + k, 36, name);
      const runs = await everywhere(jwtVerify(options), inits, { locations: false });
      const statuses = new Set(runs.map((r) => r.status));
      // The mix reaches both outcomes.
      expect(statuses.has('forward')).toBe(true);
      expect(statuses.has(options.unauthorized ? 302 : 401)).toBe(true);
      for (const r of runs) {
        if (r.location !== undefined) {
          const base = options.unauthorized!.redirect;
          expect(r.location.startsWith(base)).toBe(true);
          // One redirect_uri, whole: nothing of the viewer's escapes the parameter.
          expect(r.location.slice(base.length)).toMatch(/^([?&]?redirect_uri=[A-Za-z0-9\-_.!~*'()%]*)?$/);
        }
        if (r.status === 'forward' && options.token !== 'bearer' && 'query' in options.token!) expect(r.query).not.toContain(name);
      }
    });
  });

  it('puts the original path and query string in redirect_uri, encoded, and leaves it out past 2048 characters or 64 parameters', async () => {
    const mw = jwtVerify({ algorithms: ['HS256'], secret: SECRET, token: { cookie: 'session' }, unauthorized: { redirect: LOGIN } });
    const runs = await everywhere(mw, [
      { uri: '/orders/42', querystring: 'tab=open&page=2' },
      { uri: '/x\r\nLocation: https://evil.example', querystring: 'a=%0D%0A' },
      { uri: '/r', querystring: 'next=1#frag&redirect_uri=https://evil.example' },
      { uri: '/caf\u00e9' },
      { uri: '/' + 'l'.repeat(2047) },
      { uri: '/' + 'l'.repeat(2048) },
      { uri: '/' + 'l'.repeat(1000), querystring: 'q=' + 'v'.repeat(1045) },
      { uri: '/' + 'l'.repeat(1000), querystring: 'q=' + 'v'.repeat(1046) },
      // Grouped by name, at most 8 names: njs enumerates more than ~10 names in hash order.
      { uri: '/p', querystring: Array.from({ length: 64 }, (_, i) => `p${i >> 3}=${i}`).join('&') },
      { uri: '/p', querystring: Array.from({ length: 65 }, (_, i) => `p${Math.min(i >> 3, 7)}=${i}`).join('&') },
      { uri: '/p', querystring: Array(65).fill('a').join('&') },
    ]);
    const uri = (s: string) => `${LOGIN}&redirect_uri=${encodeURIComponent(s)}`;
    expect(runs.map((r) => r.location)).toEqual([
      uri('/orders/42?tab=open&page=2'),
      uri('/x\r\nLocation: https://evil.example?a=%0D%0A'),
      uri('/r?next=1#frag&redirect_uri=https://evil.example'),
      uri('/caf\u00e9'),
      uri('/' + 'l'.repeat(2047)),
      LOGIN,
      uri('/' + 'l'.repeat(1000) + '?q=' + 'v'.repeat(1045)),
      LOGIN,
      uri('/p?' + Array.from({ length: 64 }, (_, i) => `p${i >> 3}=${i}`).join('&')),
      LOGIN,
      LOGIN,
    ]);
    expect(runs.every((r) => r.status === 302)).toBe(true);
  });
});
