import { describe, expect, it } from 'vitest';
import { CODES, checkPipeline, defineMiddleware, edge, planPipeline, type Outcome } from '@edgeline/core';
import { eventFor, expectSameEverywhere, lambdaEvent, runPipeline, viewerRequest, viewerResponse, type EventInit } from '@edgeline/core/testing';
import { hasNjs } from '@edgeline/cf-target';
import { cors, type CorsOptions } from '.';

const njsInstalled = await hasNjs();
const APP = 'https://app.example.com';
const LIST = cors({ origins: [APP, 'http://localhost:3000'], headers: ['Content-Type', 'x-api-key'], exposeHeaders: ['x-request-id'], credentials: true, maxAge: 600 });
const PATTERN = cors({ origins: /^https:\/\/([a-z0-9-]+\.)*example\.com$/ });
const ANY = cors({ origins: '*' });

function headersOf(out: Outcome): Record<string, string[]> {
  if (out.kind === 'forward') throw new Error('expected a response');
  return out.response.headers;
}

const preflight = (origin: string | string[] | undefined, more: Record<string, string | string[]> = {}): EventInit => ({
  method: 'OPTIONS',
  uri: '/api/items',
  headers: { ...(origin === undefined ? {} : { Origin: origin }), 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'content-type', ...more },
});

/** Seeded (mulberry32): the same events on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ORIGINS = [
  APP, 'http://localhost:3000', 'https://api.example.com', 'https://a.b.example.com', 'https://example.com', 'https://evil.com',
  'https://app.example.com.evil.net', 'https://APP.example.com', 'null', '', 'https://app.example.com/', 'https://x'.repeat(200),
  'https://é.example.com', 'https://\u00ff\u00fe.example.com', `https://${'a-'.repeat(140)}.example.com`, 'constructor', '__proto__',
  'https://example.com:8443', 'https://[::1]:8080',
];

function randomRequests(seed: number, count: number): EventInit[] {
  const r = prng(seed);
  const pick = <T>(l: readonly T[]) => l[Math.floor(r() * l.length)];
  return Array.from({ length: count }, (_, i) => {
    const headers: Record<string, string | string[]> = {};
    const roll = r();
    if (roll < 0.8) headers.Origin = pick(ORIGINS);
    else if (roll < 0.9) headers.Origin = [pick(ORIGINS), pick(ORIGINS)];
    if (r() < 0.6) headers['Access-Control-Request-Method'] = pick(['PUT', 'GET', 'x'.repeat(3000), '', 'DELETE, PUT']);
    if (r() < 0.3) headers['Access-Control-Request-Headers'] = pick(['content-type', 'x-a, x-b', ',,,'.repeat(2000)]);
    return { method: pick(['OPTIONS', 'OPTIONS', 'GET', 'POST', 'HEAD']), uri: `/api/${i}`, headers };
  });
}

function randomResponses(seed: number, count: number): EventInit[] {
  const r = prng(seed);
  const pick = <T>(l: readonly T[]) => l[Math.floor(r() * l.length)];
  return randomRequests(seed + 1, count).map((init) => {
    const responseHeaders: Record<string, string | string[]> = { 'content-type': 'application/json' };
    const vary = pick([undefined, 'Accept-Encoding', 'origin', '*', ['Accept', 'Accept-Encoding'], 'Accept-Encoding,Origin', ' x '.repeat(1000)]);
    if (vary !== undefined) responseHeaders.Vary = vary;
    if (r() < 0.3) responseHeaders['Access-Control-Allow-Origin'] = pick(['*', 'https://evil.com']);
    if (r() < 0.2) responseHeaders['Access-Control-Allow-Credentials'] = 'true';
    if (r() < 0.2) responseHeaders['set-cookie'] = ['a=1; Secure', 'b=2'];
    return { ...init, method: pick(['GET', 'POST', 'OPTIONS']), status: pick([200, 201, 204, 304, 404, 500]), responseHeaders };
  });
}

for (const shape of ['cff', 'lambda'] as const) {
  const responseType = shape === 'cff' ? ('viewer-response' as const) : ('origin-response' as const);
  const ask = async (mw: ReturnType<typeof cors>, init: EventInit) => runPipeline(mw, eventFor(shape, 'viewer-request', init));
  const respond = async (mw: ReturnType<typeof cors>, init: EventInit) => headersOf(await runPipeline(mw, eventFor(shape, responseType, init)));

  describe(`cors preflight (${shape}, viewer-request)`, () => {
    it('answers an allowed origin with 204 and every configured header', async () => {
      const out = await ask(LIST, preflight(APP));
      expect(out.kind === 'respond' && out.response.status).toBe(204);
      expect(headersOf(out)).toEqual({
        'access-control-allow-origin': [APP],
        'access-control-allow-methods': ['GET, HEAD, PUT, POST, DELETE, PATCH'],
        'access-control-allow-headers': ['content-type, x-api-key'],
        'access-control-max-age': ['600'],
        'access-control-allow-credentials': ['true'],
        vary: ['Origin'],
      });
    });

    it('answers a disallowed origin with 403 and no CORS header', async () => {
      for (const origin of ['https://evil.com', 'null', 'https://app.example.com.evil.net', `${APP}/`, 'HTTPS://APP.EXAMPLE.COM']) {
        const out = await ask(LIST, preflight(origin));
        expect(out.kind === 'respond' && out.response.status).toBe(403);
        expect(Object.keys(headersOf(out)).filter((k) => k.startsWith('access-control-'))).toEqual([]);
      }
    });

    it("answers any origin with '*' (no Vary, no credentials)", async () => {
      const out = await ask(ANY, preflight('https://anyone.example'));
      expect(headersOf(out)).toEqual({ 'access-control-allow-origin': ['*'], 'access-control-allow-methods': ['GET, HEAD, PUT, POST, DELETE, PATCH'] });
    });

    it('matches a RegExp and sends the origin back', async () => {
      for (const origin of ['https://example.com', 'https://api.example.com', 'https://a.b-c.example.com']) {
        expect(headersOf(await ask(PATTERN, preflight(origin)))['access-control-allow-origin']).toEqual([origin]);
      }
      for (const origin of ['https://example.com.evil.net', 'https://evilexample.com', 'http://example.com', 'https://-.example.com:1/x']) {
        const out = await ask(PATTERN, preflight(origin));
        expect(out.kind === 'respond' && out.response.status).toBe(403);
      }
    });

    it('lets other requests go on: not OPTIONS, no Origin, no Access-Control-Request-Method', async () => {
      for (const init of [{ ...preflight(APP), method: 'GET' }, preflight(undefined), { method: 'OPTIONS', headers: { Origin: APP } }]) {
        expect((await ask(LIST, init)).kind).toBe('forward');
      }
    });

    it('sends its own lists, never the requested method or headers', async () => {
      const h = headersOf(await ask(LIST, preflight(APP, { 'Access-Control-Request-Method': 'TRACE', 'Access-Control-Request-Headers': 'x-evil' })));
      expect(h['access-control-allow-methods']).toEqual(['GET, HEAD, PUT, POST, DELETE, PATCH']);
      expect(h['access-control-allow-headers']).toEqual(['content-type, x-api-key']);
      const own = cors({ origins: [APP], methods: ['GET', 'PATCH'], headers: ['*'], maxAge: 0 });
      expect(headersOf(await ask(own, preflight(APP)))).toMatchObject({ 'access-control-allow-methods': ['GET, PATCH'], 'access-control-allow-headers': ['*'], 'access-control-max-age': ['0'] });
    });
  });

  describe(`cors responses (${shape}, ${responseType})`, () => {
    it('adds Allow-Origin, Expose-Headers, Allow-Credentials and Vary for an allowed origin', async () => {
      const h = await respond(LIST, { headers: { Origin: APP }, responseHeaders: { 'content-type': 'application/json' } });
      expect(h['access-control-allow-origin']).toEqual([APP]);
      expect(h['access-control-allow-credentials']).toEqual(['true']);
      expect(h['access-control-expose-headers']).toEqual(['x-request-id']);
      expect(h.vary).toEqual(['Origin']);
      expect(h['content-type']).toEqual(['application/json']);
    });

    it('adds only Vary: Origin for a request without an allowed Origin, and removes the origin server\'s grant', async () => {
      for (const headers of [{}, { Origin: 'https://evil.com' }, { Origin: ['https://evil.com', APP] }] as Record<string, string | string[]>[]) {
        const h = await respond(LIST, { headers, responseHeaders: { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Credentials': 'true' } });
        expect(h['access-control-allow-origin']).toBeUndefined();
        expect(h['access-control-allow-credentials']).toBeUndefined();
        expect(h.vary).toEqual(['Origin']);
      }
    });

    it("adds Vary: Origin to the origin's Vary, once", async () => {
      const vary = async (v: string | string[]) => (await respond(PATTERN, { headers: { Origin: APP }, responseHeaders: { Vary: v } })).vary;
      expect(await vary('Accept-Encoding')).toEqual(['Accept-Encoding, Origin']);
      expect(await vary(['Accept', 'Accept-Encoding'])).toEqual(['Accept, Accept-Encoding, Origin']);
      expect(await vary('accept-encoding, ORIGIN')).toEqual(['accept-encoding, ORIGIN']);
      expect(await vary('*')).toEqual(['*']);
    });

    it("with '*', sets Access-Control-Allow-Origin: * on every response and no Vary", async () => {
      for (const headers of [{}, { Origin: 'https://x.example' }, { Origin: 'null' }] as Record<string, string>[]) {
        const h = await respond(ANY, { headers, responseHeaders: { Vary: 'Accept-Encoding' } });
        expect(h['access-control-allow-origin']).toEqual(['*']);
        expect(h.vary).toEqual(['Accept-Encoding']);
        expect(h['access-control-allow-credentials']).toBeUndefined();
      }
    });

    it('leaves cookies and other headers alone', async () => {
      const h = await respond(LIST, { headers: { Origin: APP }, responseHeaders: { 'Set-Cookie': ['a=1', 'b=2'], 'Cache-Control': 'no-store' } });
      expect(h['set-cookie']).toEqual(['a=1', 'b=2']);
      expect(h['cache-control']).toEqual(['no-store']);
    });
  });

  describe(`security: cors on hostile requests (${shape})`, () => {
    it('never throws and allows nothing odd, in linear time', async () => {
      const odd = ['x'.repeat(100000), `${APP}${'\u0000'.repeat(10)}`, '\ud800', 'https://app.example.com\r\nx: y', 'constructor', '__proto__', 'toString', ' https://app.example.com', `https://${'a.'.repeat(20000)}example.com`];
      for (const mw of [LIST, PATTERN]) {
        for (const origin of odd) {
          const started = Date.now();
          const out = await ask(mw, preflight(origin));
          expect(out.kind === 'respond' && out.response.status).toBe(403);
          const h = await respond(mw, { headers: { Origin: origin } });
          expect(h['access-control-allow-origin']).toBeUndefined();
          expect(Date.now() - started).toBeLessThan(200);
        }
      }
      // Browsers send one Origin; of several, the first decides (and is the one sent back).
      const many = ['https://evil.com', ...Array.from({ length: 500 }, () => APP)];
      expect(headersOf(await ask(LIST, preflight(many)))).toEqual({});
      expect((await respond(LIST, { headers: { Origin: many } }))['access-control-allow-origin']).toBeUndefined();
      const first = [APP, ...Array.from({ length: 500 }, () => 'https://evil.com')];
      expect(headersOf(await ask(LIST, preflight(first)))['access-control-allow-origin']).toEqual([APP]);
    });
  });
}

describe('cors placement and early answers', () => {
  it('answers preflights at viewer-request and adds headers at viewer-response (CloudFront Functions) or origin-response (Lambda@Edge)', () => {
    const p = edge().use(LIST);
    for (const target of ['cloudfront-js-1.0', 'cloudfront-js-2.0'] as const) {
      expect(checkPipeline(p, target)).toEqual([]);
      const plan = planPipeline(p, target);
      expect(plan.ok && [plan.placements[0].request, plan.placements[0].response]).toEqual(['viewer-request', 'viewer-response']);
    }
    const plan = planPipeline(p, 'lambda');
    expect(plan.ok && [plan.placements[0].request, plan.placements[0].response]).toEqual(['viewer-request', 'origin-response']);
  });

  it('warns about the cache policy unless origins is *', () => {
    expect(LIST.warnings?.join()).toMatch(/cache policy must include the Origin header/);
    expect(ANY.warnings).toEqual([]);
  });

  it("adds its headers to a later middleware's early answer, not to its own preflight answer", async () => {
    const gate = defineMiddleware({ name: 'gate', needs: [], request: (ctx) => ctx.respond({ status: 401, body: 'no' }) });
    const p = edge().use(LIST).use(gate);
    for (const shape of ['cff', 'lambda'] as const) {
      const h = headersOf(await runPipeline(p, eventFor(shape, 'viewer-request', { headers: { Origin: APP } })));
      expect(h['access-control-allow-origin']).toEqual([APP]);
      expect(h.vary).toEqual(['Origin']);
      expect(headersOf(await runPipeline(p, eventFor(shape, 'viewer-request', preflight(APP))))['access-control-allow-origin']).toEqual([APP]);
    }
  });

  it.skipIf(!njsInstalled)('gives the same outcome from source, vm emulator, njs (1.0 and 2.0) and Lambda@Edge on seeded random events', async () => {
    const requests = randomRequests(17, 100);
    const responses = randomResponses(1717, 100);
    const events = [
      ...requests.map((init) => viewerRequest(init)),
      ...responses.map((init) => viewerResponse(init)),
      ...requests.slice(0, 12).map((init) => lambdaEvent('viewer-request', init)),
      ...responses.slice(0, 12).map((init) => lambdaEvent('origin-response', init)),
    ];
    for (const mw of [LIST, PATTERN, cors({ origins: /^https:\/\/(app|admin)\.example\.com(:\d{1,5})?$/i, exposeHeaders: ['*'] })]) {
      await expectSameEverywhere(mw, events, { runtimes: ['cloudfront-js-1.0', 'cloudfront-js-2.0'] });
    }
  }, 120000);
});

describe('cors options', () => {
  const bad: [string, unknown][] = [
    ['options', 'https://a.com'],
    ['origins', {}],
    ['origins', { origins: 'https://app.example.com' }],
    ['origins', { origins: [] }],
    ['origins', { origins: true }],
    ['origins[0]', { origins: ['*'] }],
    ['origins[0]', { origins: ['null'] }],
    ['origins[0]', { origins: ['app.example.com'] }],
    ['origins[0]', { origins: ['https://app.example.com/'] }],
    ['origins[0]', { origins: ['https://app.example.com/api'] }],
    ['origins[0]', { origins: ['https://*.example.com'] }],
    ['origins[0]', { origins: ['https://app.example.com:443'] }],
    ['origins[0]', { origins: ['https://user@app.example.com'] }],
    ['origins[0]', { origins: ['https://app.example.com:99999'] }],
    ['origins[0]', { origins: ['https://bücher.example'] }],
    ['origins[0]', { origins: [42] }],
    ['origins[1]', { origins: [APP, 'https://APP.example.com'] }],
    ['credentials', { origins: '*', credentials: true }],
    ['credentials', { origins: [APP], credentials: 'yes' }],
    ['methods', { origins: [APP], methods: [] }],
    ['methods', { origins: [APP], methods: 'GET' }],
    ['methods[0]', { origins: [APP], methods: ['GET POST'] }],
    ['methods', { origins: [APP], methods: ['*'], credentials: true }],
    ['methods', { origins: [APP], methods: ['*', 'GET'] }],
    ['headers[0]', { origins: [APP], headers: ['x-a\r\nx-b'] }],
    ['headers', { origins: [APP], headers: ['*'], credentials: true }],
    ['exposeHeaders', { origins: [APP], exposeHeaders: ['*'], credentials: true }],
    ['exposeHeaders[1]', { origins: [APP], exposeHeaders: ['x-a', ''] }],
    ['maxAge', { origins: [APP], maxAge: -1 }],
    ['maxAge', { origins: [APP], maxAge: 1.5 }],
    ['maxAge', { origins: [APP], maxAge: 86401 }],
    ['maxAge', { origins: [APP], maxAge: '600' }],
    ['origin', { origins: [APP], origin: APP }],
  ];
  for (const [option, options] of bad) {
    it(`refuses ${JSON.stringify(options)}, naming ${option}`, () => {
      expect(() => cors(options as never)).toThrow(expect.objectContaining({ code: CODES.config, option }));
      expect(() => cors(options as never)).toThrow(/^cors \S+: /);
    });
  }

  it('normalizes origins as browsers send them and precomputes the preflight headers', () => {
    const mw = cors({ origins: ['HTTPS://App.Example.com', 'http://localhost:3000', 'https://[::1]:8443'], methods: ['GET', 'GET', 'POST'], headers: ['X-A', 'x-a'] });
    expect(mw.config).toEqual({
      any: false, list: { [APP]: 1, 'http://localhost:3000': 1, 'https://[::1]:8443': 1 }, re: '', flags: '',
      methods: 'GET, POST', headers: 'x-a', maxAge: '', expose: '', credentials: false,
    });
  });

  it('answers a preflight with exactly the headers its options give, for every combination', async () => {
    // The hook keeps one literal answer per combination (the build folds away the others).
    const origins = { any: '*' as const, list: [APP], pattern: /^https:\/\/app\.example\.com$/ };
    for (const [kind, o] of Object.entries(origins)) {
      for (const credentials of kind === 'any' ? [false] : [false, true]) {
        for (const headers of [undefined, ['X-B', 'content-type']]) {
          for (const maxAge of [undefined, 0, 600]) {
            const mw = cors({ origins: o, credentials, headers, maxAge, methods: ['GET', 'POST'] });
            const expected: Record<string, string[]> = { 'access-control-allow-origin': [kind === 'any' ? '*' : APP], 'access-control-allow-methods': ['GET, POST'] };
            if (headers) expected['access-control-allow-headers'] = ['x-b, content-type'];
            if (maxAge !== undefined) expected['access-control-max-age'] = [String(maxAge)];
            if (credentials) expected['access-control-allow-credentials'] = ['true'];
            if (kind !== 'any') expected.vary = ['Origin'];
            for (const shape of ['cff', 'lambda'] as const) {
              const out = await runPipeline(mw, eventFor(shape, 'viewer-request', preflight(APP)));
              expect(out.kind === 'respond' && out.response.status).toBe(204);
              expect(headersOf(out)).toEqual(expected);
            }
          }
        }
      }
    }
  });

  it.skipIf(!njsInstalled)("adds Origin to a Vary with tabs, spaces and non-ASCII text the same everywhere", async () => {
    const varies = ['Accept,\tOrigin', 'x-\u00e9\u4e2d, Accept', ['\u00dcber', ' \t origin \t'], '\ud83d\ude00,*', `${'\u00e9 '.repeat(3000)}`, ' \t ', ''];
    const events = varies.map((vary) => viewerResponse({ headers: { Origin: APP }, responseHeaders: { Vary: vary } }));
    await expectSameEverywhere(PATTERN, [...events, ...varies.map((vary) => lambdaEvent('origin-response', { headers: { Origin: APP }, responseHeaders: { Vary: vary } }))], { runtimes: ['cloudfront-js-1.0', 'cloudfront-js-2.0'] });
    const vary = async (v: string | string[]) => headersOf(await runPipeline(PATTERN, viewerResponse({ headers: { Origin: APP }, responseHeaders: { Vary: v } }))).vary;
    expect(await vary(['\u00dcber', ' \t origin \t'])).toEqual(['\u00dcber', ' \t origin \t']);
    expect(await vary(['\u00dcber', 'x\t'])).toEqual(['\u00dcber, x\t, Origin']);
  }, 60000);

  it.skipIf(!njsInstalled)('gives the same preflight answers from source and every artifact, for every combination', async () => {
    const events = [preflight(APP), preflight('https://evil.com'), preflight(''), { method: 'GET', headers: { Origin: APP } }];
    const all = [
      ...events.map((init) => viewerRequest(init)),
      ...events.map((init) => viewerResponse({ ...init, responseHeaders: { Vary: 'Accept', 'Access-Control-Allow-Origin': '*' } })),
      ...events.map((init) => lambdaEvent('viewer-request', init)),
    ];
    for (const origins of ['*' as const, [APP], /^https:\/\/app\.example\.com$/]) {
      for (const credentials of origins === '*' ? [false] : [false, true]) {
        for (const [headers, maxAge] of [[undefined, undefined], [['x-b'], undefined], [undefined, 0], [['x-b'], 60]] as const) {
          await expectSameEverywhere(cors({ origins, credentials, headers, maxAge, exposeHeaders: credentials ? ['x-c'] : undefined }), all, { runtimes: ['cloudfront-js-1.0', 'cloudfront-js-2.0'] });
        }
      }
    }
  }, 120000);

  describe('security: a RegExp is refused unless its matching is linear', () => {
    const refused: [RegExp, RegExp][] = [
      [/^(a+)+$/, /nests quantifiers/],
      [/^https:\/\/(a+b?)*\.example\.com$/, /nests quantifiers/],
      [/^(a*)*$/, /empty string/],
      [/^(a|a)*$/, /ambiguous/],
      [/^(a|b|ab)*$/, /ambiguous/],
      [/^https:\/\/\d+\d+$/, /ambiguous/],
      [/^https:\/\/[a-z]*-?[a-z]*\.example\.com$/, /ambiguous/],
      [/^https:\/\/(a+){2}$/, /ambiguous/],
      [/^(a)\1$/, /backreference/],
      [/^(?<=a)b$/, /lookbehind/],
      [/^(?=a)a$/, /lookahead/],
      [/^(?<host>a)$/, /named groups/],
      [/^\bexample$/, /word boundaries/],
      [/example\.com/, /anchored/],
      [/^https:\/\/example\.com/, /anchored/],
      [/^https:\/\/example\.com\$/, /anchored/],
      [/^https:\/\/a\.com$|^https:\/\/b\.com$/, /only at the start and the end/],
      [/^https:\/\/a\.com|b\.com$/, /first and last alternative/],
      [/^a$/g, /flag 'g'/],
      [/^a$/m, /flag 'm'/],
      [/^a$/s, /flag 's'/],
      [/^a$/u, /flag 'u'/],
      [/^a$/y, /flag 'y'/],
      [/^https:\/\/bücher\.example$/, /ASCII/],
      [/^[^]$/, /matches anything/],
      [/^https:\/\/app.example.com$/, /no origin holds/],
      [/^https:\/\/.*\.example\.com$/, /no origin holds/],
      [/^https:\/\/[^.\/]+\.example\.com$/, /no origin holds/],
      [/^https:\/\/\S+$/, /no origin holds/],
      [/^https:\/\/a b$/, /no origin holds/],
      [new RegExp('^https://(' + 'a'.repeat(200) + ')$'), /too long/],
    ];
    for (const [re, why] of refused) {
      it(`refuses ${re}`, () => {
        expect(() => cors({ origins: re })).toThrow(expect.objectContaining({ code: CODES.config, option: 'origins' }));
        expect(() => cors({ origins: re })).toThrow(why);
      });
    }

    const accepted = [
      /^https:\/\/([a-z0-9-]+\.)*example\.com$/,
      /^https:\/\/([a-z]+\.)*[a-z]+\.com$/,
      /^https:\/\/[a-z0-9-]{1,63}\.example\.com$/,
      /^(https:\/\/(app|www)\.example\.com|http:\/\/localhost:\d{1,5})$/i,
      /^https:\/\/([a-z0-9]+(-[a-z0-9]+)*\.)+example\.com$/,
      /^https:\/\/(a|ab)*$/,
    ];
    for (const re of accepted) {
      it(`accepts ${re}, keeping its source and flags`, () => {
        expect(cors({ origins: re }).config).toMatchObject({ re: re.source, flags: re.flags, any: false });
      });
    }
  });
});
