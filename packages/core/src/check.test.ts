import { describe, expect, it } from 'vitest';
import { checkPipeline, defineMiddleware, edge, planPipeline, PROFILES, type TargetName } from './index.js';

const mw = (name: string, needs: any[], extra: object = {}) => defineMiddleware({ name, needs, request() {}, ...extra });

describe('checkPipeline', () => {
  const cases: [string, any[], TargetName, string[]][] = [
    ['body', ['body'], 'cloudfront-js-1.0', ['body']],
    ['network', ['network'], 'cloudfront-js-2.0', ['network']],
    ['async on 1.0', ['async'], 'cloudfront-js-1.0', ['async']],
    ['async on 2.0', ['async'], 'cloudfront-js-2.0', []],
    ['rsa', ['crypto:verify'], 'cloudfront-js-2.0', ['crypto:verify']],
    ['rsa on lambda', ['crypto:verify', 'network'], 'lambda', []],
    ['kvs on 2.0', ['kvs'], 'cloudfront-js-2.0', []],
    ['kvs on lambda', ['kvs'], 'lambda', ['kvs']],
    ['fs', ['fs'], 'cloudfront-js-1.0', ['fs']],
    ['env', ['env'], 'lambda', ['env']],
    ['hash', ['crypto:hash', 'crypto:hmac'], 'cloudfront-js-1.0', []],
    ['origin events', ['origin-request'], 'cloudfront-js-2.0', ['origin-request']],
  ];
  for (const [label, needs, target, expected] of cases) {
    it(`${label} on ${target}`, () => {
      const violations = checkPipeline(edge().use(mw('m', needs)), target);
      expect(violations.map((v) => v.capability)).toEqual(expected);
      for (const v of violations) {
        expect(v.middleware).toBe('m');
        expect(v.why).not.toBe('');
        expect(v.fix).not.toBe('');
      }
    });
  }

  it('reports every violation of every middleware', () => {
    const p = edge().use(mw('a', ['body', 'network'])).use(mw('b', ['fs']));
    expect(checkPipeline(p, 'cloudfront-js-1.0').map((v) => `${v.middleware}:${v.capability}`)).toEqual(['a:body', 'a:network', 'b:fs']);
  });

  it('names the fix for origin changes per runtime', () => {
    const origin = mw('originSelect', ['origin'], { runsAt: { request: ['origin-request', 'viewer-request'] } });
    const [v] = checkPipeline(edge().use(origin), 'cloudfront-js-1.0');
    expect(v.fix).toContain('cloudfront-js-2.0');
    const plan2 = planPipeline(edge().use(origin), 'cloudfront-js-2.0');
    expect(plan2.ok && plan2.placements[0].request).toBe('viewer-request');
    const planL = planPipeline(edge().use(origin), 'lambda');
    expect(planL.ok && planL.placements[0].request).toBe('origin-request');
  });

  it('places response hooks by preference per target', () => {
    const headers = defineMiddleware({ name: 'h', needs: [], runsAt: { response: ['origin-response', 'viewer-response'] }, response() {} });
    const cf = planPipeline(edge().use(headers), 'cloudfront-js-1.0');
    const la = planPipeline(edge().use(headers), 'lambda');
    expect(cf.ok && cf.placements[0].response).toBe('viewer-response');
    expect(la.ok && la.placements[0].response).toBe('origin-response');
  });

  it('rejects a request hook that CloudFront would run before an earlier one', () => {
    const late = mw('late', [], { runsAt: { request: ['origin-request'] } });
    const early = mw('early', []);
    const v = checkPipeline(edge().use(late).use(early), 'lambda');
    expect(v).toHaveLength(1);
    expect(v[0].middleware).toBe('early');
    expect(checkPipeline(edge().use(early).use(late), 'lambda')).toEqual([]);
  });

  it('has a profile for each runtime with its limits', () => {
    expect(PROFILES['cloudfront-js-1.0'].limits.maxBytes).toBe(10240);
    expect(PROFILES['lambda-viewer'].limits.maxBytes).toBe(1048576);
    expect(PROFILES['lambda-origin'].limits.timeoutMs).toBe(30000);
  });
});

describe("checkPipeline(pipeline, 'auto')", () => {
  const headers = defineMiddleware({ name: 'headers', needs: [], runsAt: { response: ['origin-response', 'viewer-response'] }, response() {} });
  const plan = (p: Parameters<typeof checkPipeline>[0], runtime?: 'cloudfront-js-1.0' | 'cloudfront-js-2.0') => {
    const out = checkPipeline(p, 'auto', { runtime });
    if (!out.ok) throw new Error(out.violations.map((v) => `${v.middleware}: ${v.why}`).join('\n'));
    return out;
  };
  const where = (p: ReturnType<typeof plan>) => Object.fromEntries(p.events.map((e) => [e.eventType, e.target]));

  it('runs every viewer event on a CloudFront Function (2.0) when every hook there can', () => {
    const p = plan(edge().use(headers).use(mw('hash', ['crypto:hash'])));
    expect(where(p)).toEqual({ 'viewer-request': 'cloudfront-js-2.0', 'viewer-response': 'cloudfront-js-2.0' });
    expect(p.pricePerMillion).toBeCloseTo(0.2);
    expect(p.events.every((e) => e.reasons.length === 0)).toBe(true);
  });

  it('moves an event type to Lambda@Edge for one hook that needs it, with the reason, and keeps the hook at its event type', () => {
    const p = plan(edge().use(headers).use(mw('rsa', ['crypto:verify'])));
    expect(where(p)).toEqual({ 'viewer-request': 'lambda', 'viewer-response': 'cloudfront-js-2.0' });
    expect(p.events[0].reasons).toEqual([{ middleware: 'rsa', why: 'needs crypto:verify' }]);
    // headers may run at origin-response too: a CloudFront Function at viewer-response is cheaper.
    expect(p.events[1].choices[0]).toMatch(/viewer-response on a CloudFront Function .* cheaper than origin-response/);
    expect(p.pricePerMillion).toBeCloseTo(0.1 + 0.6 + 0.128 / 1.024 * 0.00005001 * 1000, 5);
  });

  it('runs origin events on Lambda@Edge and viewer events where they can be cheapest', () => {
    const origin = mw('originSelect', ['origin', 'network', 'async'], { runsAt: { request: ['origin-request', 'viewer-request'] } });
    const p = plan(edge().use(mw('geo', [])).use(origin));
    expect(where(p)).toEqual({ 'viewer-request': 'cloudfront-js-2.0', 'origin-request': 'lambda' });
    expect(p.events[1].reasons).toEqual([{ why: 'origin events run only on Lambda@Edge' }, { middleware: 'originSelect', why: 'needs network' }]);
  });

  it('runs a viewer event on Lambda@Edge when told why (a CloudFront Function the build refused)', () => {
    const p = checkPipeline(edge().use(mw('big', [])), 'auto', { lambda: { 'viewer-request': 'its CloudFront Function is over 10 KB' } });
    expect(p.ok && p.events[0]).toMatchObject({ target: 'lambda', reasons: [{ middleware: 'big', why: 'its CloudFront Function is over 10 KB' }] });
  });

  it('uses cloudfront-js-1.0 when pinned, and Lambda@Edge for what 1.0 lacks', () => {
    const p = plan(edge().use(mw('waits', ['async'])).use(headers), 'cloudfront-js-1.0');
    expect(where(p)).toEqual({ 'viewer-request': 'lambda', 'viewer-response': 'cloudfront-js-1.0' });
  });

  it('rejects what no placement can run, naming the middleware and the fixes of both runtimes', () => {
    const out = checkPipeline(edge().use(mw('secret', ['kvs', 'async'])), 'auto', { runtime: 'cloudfront-js-1.0' });
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.violations.map((v) => `${v.middleware}:${v.capability}`)).toEqual(['secret:kvs', 'secret:async']);
    expect(out.violations[0].why).toMatch(/cloudfront-js-1\.0.*nor on Lambda@Edge/);
    expect(out.violations[0].fix).toBe('use --runtime cloudfront-js-2.0, or pass the value as an option');
    expect(checkPipeline(edge().use(mw('secret', ['kvs', 'async'])), 'auto').ok).toBe(true);
    expect(checkPipeline(edge().use(mw('env', ['env'])), 'auto').ok).toBe(false);
  });

  it('puts a response hook that answers at viewer-request pass through where it can run', () => {
    const kvsHeaders = defineMiddleware({ name: 'kvsHeaders', needs: ['kvs', 'async'], response() {} });
    const out = checkPipeline(edge().use(kvsHeaders).use(mw('fetcher', ['network'])), 'auto');
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.violations[0]).toMatchObject({ middleware: 'kvsHeaders', capability: 'kvs' });
    // After the answering middleware, its response hook never runs on those answers.
    expect(checkPipeline(edge().use(mw('fetcher', ['network'])).use(kvsHeaders), 'auto').ok).toBe(true);
  });
});
