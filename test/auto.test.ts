import { describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { checkPipeline, edge, type AutoPlan } from '@edgeline/core';
import { lambdaEvent, runBuilt, runPipeline, viewerRequest, viewerResponse } from '@edgeline/core/testing';
import { geoRedirect, jwtVerify, originSelect, securityHeaders } from '@edgeline/middleware';

// The plans of issue 15, from the built-in middleware: checkPipeline(pipeline, 'auto'), and the
// testing helpers running each hook where the plan puts it.
const jwk = { ...generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256' } as any;
const dnsOrigin = () => originSelect({ dnsTxt: 'nearest.assets.example.com', default: { s3: { bucket: 'assets-us-east-1', region: 'us-east-1' } } });

function planned(plan: AutoPlan) {
  if (!plan.ok) throw new Error(plan.violations.map((v) => `${v.middleware}: ${v.why}`).join('\n'));
  return plan;
}
const where = (plan: AutoPlan) => Object.fromEntries(planned(plan).events.map((e) => [e.eventType, e.target]));

describe("checkPipeline(pipeline, 'auto') on the built-in middleware", () => {
  it('an all-cf pipeline: one CloudFront Function per viewer event, on cloudfront-js-2.0', () => {
    const plan = planned(checkPipeline(edge().use(securityHeaders()).use(geoRedirect({ countries: ['de'] })), 'auto'));
    expect(where(plan)).toEqual({ 'viewer-request': 'cloudfront-js-2.0', 'viewer-response': 'cloudfront-js-2.0' });
    expect(plan.events.map((e) => e.middleware)).toEqual([['geoRedirect'], ['securityHeaders']]);
    expect(plan.pricePerMillion).toBeCloseTo(0.2);
    expect(where(checkPipeline(edge().use(geoRedirect({ countries: ['de'] })), 'auto', { runtime: 'cloudfront-js-1.0' }))).toEqual({ 'viewer-request': 'cloudfront-js-1.0' });
  });

  it('RSA jwtVerify and securityHeaders: viewer-request on Lambda@Edge, securityHeaders where the price puts it, said in the plan', () => {
    const plan = planned(checkPipeline(edge().use(securityHeaders()).use(jwtVerify({ algorithms: ['RS256'], jwks: { keys: [jwk] } })), 'auto'));
    expect(where(plan)).toEqual({ 'viewer-request': 'lambda', 'viewer-response': 'cloudfront-js-2.0' });
    expect(plan.events[0].reasons).toEqual([{ middleware: 'jwtVerify', why: expect.stringMatching(/^needs crypto:verify/) }]);
    expect(plan.events[1].choices).toEqual([expect.stringMatching(/securityHeaders may run at origin-response or viewer-response: viewer-response on a CloudFront Function .*cheaper/)]);
    expect(plan.events[0].pricePerMillion).toBeGreaterThan(0.6);
  });

  it('geoRedirect + originSelect with dnsTxt: a CloudFront Function at viewer-request, Lambda@Edge at origin-request', () => {
    const plan = planned(checkPipeline(edge().use(geoRedirect({ countries: ['de'] })).use(dnsOrigin()), 'auto'));
    expect(where(plan)).toEqual({ 'viewer-request': 'cloudfront-js-2.0', 'origin-request': 'lambda' });
    expect(plan.events[1].reasons).toEqual([{ why: 'origin events run only on Lambda@Edge' }, { middleware: 'originSelect', why: expect.stringMatching(/^needs network/) }]);
  });

  it('a KVS pipeline with --runtime cloudfront-js-1.0 is rejected: Lambda@Edge cannot read KVS either; both fixes named', () => {
    const pipeline = edge().use(jwtVerify({ algorithms: ['HS256'], secret: { kvs: 'jwt-secret' } }));
    const plan = checkPipeline(pipeline, 'auto', { runtime: 'cloudfront-js-1.0' });
    expect(plan.ok).toBe(false);
    if (plan.ok) return;
    const kvs = plan.violations.find((v) => v.capability === 'kvs')!;
    expect(kvs).toMatchObject({ middleware: 'jwtVerify', target: 'auto' });
    expect(kvs.why).toMatch(/cloudfront-js-1\.0.*KeyValueStore needs runtime cloudfront-js-2\.0.*nor on Lambda@Edge/);
    expect(kvs.fix).toContain('use --runtime cloudfront-js-2.0');
    expect(kvs.fix).toContain('pass the value as an option');
    expect(plan.violations.every((v) => v.middleware === 'jwtVerify')).toBe(true);
    expect(where(checkPipeline(pipeline, 'auto'))).toEqual({ 'viewer-request': 'cloudfront-js-2.0' });
  });
});

describe("runPipeline and runBuilt with target: 'auto'", () => {
  const rsa = edge().use(securityHeaders()).use(jwtVerify({ algorithms: ['RS256'], jwks: { keys: [jwk] } }));

  it('runs each event where the plan puts it, and says which kind of event to pass', async () => {
    for (const run of [runPipeline, runBuilt]) {
      // viewer-request runs on Lambda@Edge: the 401 goes through securityHeaders there.
      const denied = await run(rsa, lambdaEvent('viewer-request', { uri: '/' }), { target: 'auto' });
      expect(denied.kind).toBe('respond');
      if (denied.kind === 'respond') {
        expect(denied.response.status).toBe(401);
        expect(denied.response.headers['strict-transport-security']).toBeDefined();
      }
      // viewer-response runs on a CloudFront Function (2.0).
      const headed = await run(rsa, viewerResponse({ status: 200 }), { target: 'auto' });
      expect(headed.kind).toBe('response');
      if (headed.kind === 'response') expect(headed.response.headers['x-content-type-options']).toEqual(['nosniff']);
      await expect(run(rsa, viewerRequest({ uri: '/' }), { target: 'auto' })).rejects.toThrow(/viewer-request runs on Lambda@Edge/);
    }
  });

  it('geoRedirect on the CloudFront Function of a geo + DNS origin pipeline', async () => {
    const pipeline = edge().use(geoRedirect({ countries: ['de'] })).use(dnsOrigin());
    for (const run of [runPipeline, runBuilt]) {
      const out = await run(pipeline, viewerRequest({ uri: '/pricing', country: 'DE' }), { target: 'auto' });
      expect(out.kind).toBe('respond');
      if (out.kind === 'respond') expect(out.response.headers.location).toEqual(['/de/pricing']);
    }
    await expect(runPipeline(pipeline, lambdaEvent('viewer-request', { uri: '/' }), { target: 'auto' })).rejects.toThrow(/CloudFront Function \(cloudfront-js-2\.0\)/);
  });

  it('rejects what no placement can run', async () => {
    const kvs = edge().use(jwtVerify({ algorithms: ['HS256'], secret: { kvs: 'jwt-secret' } }));
    await expect(runPipeline(kvs, viewerRequest({ uri: '/' }), { target: 'auto', runtime: 'cloudfront-js-1.0' })).rejects.toThrow(/jwtVerify needs kvs/);
  });
});
