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
