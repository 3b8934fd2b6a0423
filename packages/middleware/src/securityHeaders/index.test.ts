import { describe, expect, it } from 'vitest';
import { CODES, defineMiddleware, edge, planPipeline, type Outcome } from '@edgeline/core';
import { eventFor, lambdaEvent, runPipeline } from '@edgeline/core/testing';
import { runPortably, type HookCase } from '../testing/portable.js';
import { SECURITY_HEADER_DEFAULTS, securityHeaders } from '.';

const DEFAULTS = {
  'strict-transport-security': ['max-age=63072000; includeSubdomains; preload'],
  'content-security-policy': ["default-src 'none'; img-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'"],
  'x-content-type-options': ['nosniff'],
  'x-frame-options': ['DENY'],
  'x-xss-protection': ['1; mode=block'],
  'referrer-policy': ['strict-origin-when-cross-origin'],
};

function responseHeaders(out: Outcome): Record<string, string[]> {
  if (out.kind === 'forward') throw new Error('expected a response');
  return out.response.headers;
}

// Where each shape runs the hook: CloudFront Functions at viewer-response, Lambda@Edge at origin-response.
const shapes = [
  { shape: 'cff' as const, eventType: 'viewer-response' as const },
  { shape: 'lambda' as const, eventType: 'origin-response' as const },
];

for (const { shape, eventType } of shapes) {
  const run = (mw: ReturnType<typeof securityHeaders>, init: Parameters<typeof eventFor>[2] = {}) => runPipeline(mw, eventFor(shape, eventType, init));

  describe(`securityHeaders (${shape}, ${eventType})`, () => {
    it('adds the default headers', async () => {
      const h = responseHeaders(await run(securityHeaders(), { responseHeaders: { 'content-type': 'text/html' } }));
      expect(h).toEqual({ ...DEFAULTS, 'content-type': ['text/html'] });
    });

    it('adds them to error responses too', async () => {
      for (const status of [404, 500, 503]) {
        const out = await run(securityHeaders(), { status });
        expect(out.kind === 'response' && out.response.status).toBe(status);
        expect(responseHeaders(out)['x-frame-options']).toEqual(['DENY']);
      }
    });

    it('replaces a value or leaves a header out', async () => {
      const h = responseHeaders(await run(securityHeaders({ xFrameOptions: 'SAMEORIGIN', contentSecurityPolicy: false, xXssProtection: false })));
      expect(h['x-frame-options']).toEqual(['SAMEORIGIN']);
      expect(h['content-security-policy']).toBeUndefined();
      expect(h['x-xss-protection']).toBeUndefined();
      expect(h['strict-transport-security']).toEqual(DEFAULTS['strict-transport-security']);
    });

    it('sets CORS only when asked', async () => {
      expect(responseHeaders(await run(securityHeaders()))['access-control-allow-origin']).toBeUndefined();
      expect(responseHeaders(await run(securityHeaders({ cors: '*' })))['access-control-allow-origin']).toEqual(['*']);
      expect(responseHeaders(await run(securityHeaders({ cors: 'https://app.example.com:8443' })))['access-control-allow-origin']).toEqual(['https://app.example.com:8443']);
    });

    it('adds other headers, which win over the named ones', async () => {
      const h = responseHeaders(await run(securityHeaders({ headers: { 'Permissions-Policy': 'camera=()', 'X-Frame-Options': 'SAMEORIGIN' } })));
      expect(h['permissions-policy']).toEqual(['camera=()']);
      expect(h['x-frame-options']).toEqual(['SAMEORIGIN']);
    });

    it("overrides the origin's values by default, keeps them with override: false", async () => {
      const init = { responseHeaders: { 'X-Frame-Options': 'SAMEORIGIN', 'Set-Cookie': ['a=1', 'b=2'] } };
      const over = responseHeaders(await run(securityHeaders(), init));
      expect(over['x-frame-options']).toEqual(['DENY']);
      const kept = responseHeaders(await run(securityHeaders({ override: false }), init));
      expect(kept['x-frame-options']).toEqual(['SAMEORIGIN']);
      expect(kept['referrer-policy']).toEqual(DEFAULTS['referrer-policy']);
      // Cookies are never touched.
      expect(over['set-cookie']).toEqual(['a=1', 'b=2']);
      expect(kept['set-cookie']).toEqual(['a=1', 'b=2']);
    });
  });
}

describe('securityHeaders placement', () => {
  it('runs at viewer-response on CloudFront Functions and at origin-response on Lambda@Edge', () => {
    const p = edge().use(securityHeaders());
    for (const target of ['cloudfront-js-1.0', 'cloudfront-js-2.0'] as const) {
      const plan = planPipeline(p, target);
      expect(plan.ok && plan.placements[0].response).toBe('viewer-response');
    }
    const plan = planPipeline(p, 'lambda');
    expect(plan.ok && plan.placements[0].response).toBe('origin-response');
  });

  it('leaves a Lambda@Edge viewer-response alone (it already ran at origin-response)', async () => {
    const event = lambdaEvent('viewer-response', { status: 200 });
    const out = await runPipeline(securityHeaders(), event);
    expect(responseHeaders(out)['x-frame-options']).toBeUndefined();
  });

  it('adds the headers to an answer given early by a later middleware', async () => {
    const gate = defineMiddleware({ name: 'gate', needs: [], request: (ctx) => ctx.respond({ status: 403, body: 'no' }) });
    const p = edge().use(securityHeaders()).use(gate);
    for (const shape of ['cff', 'lambda'] as const) {
      const out = await runPipeline(p, eventFor(shape, 'viewer-request', { uri: '/' }));
      expect(out.kind).toBe('respond');
      expect(responseHeaders(out)).toMatchObject(DEFAULTS);
    }
  });

  it('lowers to ES5 and gives the same headers in njs as in Node', async () => {
    const cases: HookCase[] = [{ responseHeaders: {} }, { responseHeaders: { 'x-frame-options': 'SAMEORIGIN', 'content-type': 'text/html' } }];
    for (const mw of [securityHeaders({ cors: '*', headers: { 'x-extra': '1' } }), securityHeaders({ override: false })]) {
      const { njs, node } = await runPortably(mw, 'response', cases);
      expect(njs).toEqual(node);
      expect(njs[1].responseHeaders['content-type']).toBe('text/html');
      expect(njs[0].responseHeaders['referrer-policy']).toBe('strict-origin-when-cross-origin');
    }
    const { njs } = await runPortably(securityHeaders({ override: false }), 'response', cases);
    expect(njs.map((r) => r.responseHeaders['x-frame-options'])).toEqual(['DENY', 'SAMEORIGIN']);
  });
});

describe('security: securityHeaders options', () => {
  const bad: [string, unknown][] = [
    ['xFrameOptions', { xFrameOptions: 'DENY\r\nSet-Cookie: a=1' }],
    ['contentSecurityPolicy', { contentSecurityPolicy: "default-src 'self'\n" }],
    ['referrerPolicy', { referrerPolicy: 'no-referrer\u0000' }],
    ['referrerPolicy', { referrerPolicy: 'nö' }],
    ['xFrameOptions', { xFrameOptions: '' }],
    ['xFrameOptions', { xFrameOptions: true }],
    ['strictTransportSecurity', { strictTransportSecurity: 31536000 }],
    ['cors', { cors: 'https://app.example.com/path' }],
    ['cors', { cors: 'app.example.com' }],
    ['cors', { cors: 'https://app.example.com\r\nx: 1' }],
    ['cors', { cors: true }],
    ['headers', { headers: { 'bad name': '1' } }],
    ['headers', { headers: { 'x-ok': 'a\nb' } }],
    ['headers', { headers: { 'content-length': '1' } }],
    ['headers', { headers: { 'transfer-encoding': 'chunked' } }],
    ['headers', { headers: { 'x-amz-cf-pop': 'x' } }],
    ['headers', { headers: { connection: 'close' } }],
    ['headers', { headers: { 'set-cookie': 'a=1' } }],
    ['headers', { headers: ['x-a', '1'] }],
    ['headers', { headers: { constructor: 'x' } }],
    ['headers', { headers: { Constructor: 'x' } }],
    ['headers.__proto__', JSON.parse('{ "headers": { "__proto__": "x" } }')],
    ['headers', { headers: { cookie: 'a=1' } }],
    ['headers', { headers: { authorization: 'x' } }],
    ['headers', { headers: { host: 'example.com' } }],
    ['override', { override: 'no' }],
    ['xFrameOption', { xFrameOption: 'DENY' }],
  ];
  for (const [option, options] of bad) {
    it(`refuses ${JSON.stringify(options)}, naming ${option}`, () => {
      expect(() => securityHeaders(options as never)).toThrow(expect.objectContaining({ code: CODES.config, option }));
    });
  }

  it("refuses { headers: { __proto__: 'x' } }, which sets the prototype and would drop the header silently", () => {
    // eslint-disable-next-line no-proto
    const headers = { __proto__: { 'x-a': '1' }, 'x-b': '2' } as unknown as Record<string, string>;
    expect(() => securityHeaders({ headers })).toThrow(expect.objectContaining({ code: CODES.config, option: 'headers.__proto__' }));
    // A string as `__proto__` leaves no trace in the object: it is an empty `headers`, refused too.
    expect(() => securityHeaders({ headers: { __proto__: 'x' } as unknown as Record<string, string> })).toThrow(expect.objectContaining({ code: CODES.config, option: 'headers' }));
    expect(() => securityHeaders({ headers: {} })).toThrow(/__proto__/);
  });

  it('names the middleware and the option in every message', () => {
    for (const options of [{ headers: { constructor: 'x' } }, { xFrameOptions: '' }, { cors: true }, { nope: 1 }]) {
      expect(() => securityHeaders(options as never)).toThrow(/^securityHeaders \S+: /);
    }
  });

  it('names every default it documents', () => {
    expect(Object.fromEntries(Object.values(SECURITY_HEADER_DEFAULTS).map(([n, v]) => [n, [v]]))).toEqual(DEFAULTS);
  });
});
