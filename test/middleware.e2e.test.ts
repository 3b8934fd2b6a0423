import { describe, it } from 'vitest';
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { edge } from '@edgeline/core';
import { cacheKeyFromBasicAuth, geoRedirect, jwtVerify, originSelect, securityHeaders } from '@edgeline/middleware';
import { expectCfMatchesSource, expectLambdaMatchesSource, type Case } from './equivalence';

// Every built-in middleware, lowered to each target that can run it, gives the same outcome as
// its source run: njs for CloudFront Functions (both runtimes), a fresh Node context for Lambda@Edge.

const basic = (s: string) => 'Basic ' + Buffer.from(s).toString('base64');
const req = (init: Case['init']): Case => ({ eventType: 'viewer-request', init });

const geoCases: Case[] = [
  req({ uri: '/pricing', country: 'DE' }), req({ uri: '/pricing', country: 'US' }), req({ uri: '/pricing' }),
  req({ uri: '/de/pricing', country: 'FR' }), req({ uri: '/en/', country: 'DE' }), req({ uri: '/', country: 'fr' }),
  req({ uri: '/p', country: 'ES', querystring: 'a=1&a=2&b=%zz' }), req({ uri: '//evil.example', country: 'DE' }),
  req({ uri: '/\\evil.example', country: 'DE' }), req({ uri: '/ünï', country: 'DE' }), req({ uri: '/de', country: 'DE' }),
  req({ uri: '/x', country: 'FR', querystring: 'a=1&b=2&a=3' }), req({ uri: '/x', querystring: 'a=&b&&c=1' }),
  // No `__proto__` here: njs's JSON.parse makes it the prototype of event.request.querystring
  // (Node's keeps it an own property), so the engines cannot agree; on Lambda@Edge it is ours to parse.
  req({ uri: '/x', querystring: 'constructor=1&toString=3&hasOwnProperty=4' }), req({ uri: '/en-gb/x', country: 'GB' }),
  req({ uri: '/x', headers: { 'cloudfront-viewer-country': '' } }), req({ uri: '', country: 'DE' }), req({ uri: '/', country: 'ZZ' }),
];
const authCases: Case[] = [
  req({ headers: { authorization: basic('alice:pw') } }), req({ headers: { Authorization: 'basic ' + Buffer.from('bob:x').toString('base64') } }),
  req({ headers: { authorization: basic('ünï:pw') } }), req({ headers: { authorization: basic('nocolon') } }),
  req({ headers: { authorization: basic(':pw') } }), req({ headers: { authorization: 'Basic %%%' } }), req({ headers: { authorization: 'Bearer abc' } }),
  req({ headers: { authorization: 'Basic' } }), req({ headers: { 'username-cache-key': 'forged' } }),
  req({ headers: { 'username-cache-key': 'forged', authorization: basic('carol:pw') } }), req({}),
  // Base64 at its edges: padding, trailing bits, lengths the alphabet cannot make, bytes that are not UTF-8.
  req({ headers: { authorization: 'BASIC ' + Buffer.from('dave:pw').toString('base64') } }), req({ headers: { authorization: 'Basic   ' + Buffer.from('erin:pw').toString('base64') + '  ' } }),
  req({ headers: { authorization: 'Basic ' + Buffer.from('ab:c').toString('base64').replace(/=+$/, '') } }),
  req({ headers: { authorization: 'Basic YTpi' } }), req({ headers: { authorization: 'Basic YTo=' } }), req({ headers: { authorization: 'Basic YTo' } }),
  req({ headers: { authorization: 'Basic YTo==' } }), req({ headers: { authorization: 'Basic YTpiY' } }), req({ headers: { authorization: 'Basic YTpi=' } }),
  req({ headers: { authorization: 'Basic YTpiYw===' } }), req({ headers: { authorization: 'Basic YT=pi' } }), req({ headers: { authorization: 'Basic ====' } }),
  req({ headers: { authorization: 'Basic ' + Buffer.from([0xff, 0x3a, 0x70]).toString('base64') } }),
  req({ headers: { authorization: 'Basic ' + Buffer.from([0x61, 0xc3, 0x3a, 0x70]).toString('base64') } }),
  req({ headers: { authorization: 'Basic ' + Buffer.from('x'.repeat(3000) + ':pw').toString('base64') } }),
  req({ headers: { authorization: 'Basic\tYTpi' } }), req({ headers: { authorization: 'Basic ' } }), req({ headers: { authorization: 'Basic Y-pi' } }),
  req({ headers: { authorization: 'Basic QR==' } }), req({ headers: { authorization: 'Basic ' + Buffer.from('日本:pw').toString('base64') } }),
];
const resp = (init: Case['init']): Case => ({ eventType: 'viewer-response', init });
const headerCases: Case[] = [
  resp({ status: 200 }), resp({ status: 404 }), resp({ status: 200, responseHeaders: { 'x-frame-options': 'SAMEORIGIN', 'Set-Cookie': ['a=1', 'b=2'] } }),
  req({ uri: '/' }),
];

function hs256(payload: object, secret: string): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}
const now = Math.floor(Date.now() / 1000);
const secret = 'a-long-enough-shared-secret-for-hs256';
const jwtCases: Case[] = [
  req({ headers: { authorization: 'Bearer ' + hs256({ sub: 'u1', exp: now + 3600, iss: 'https://issuer.example' }, secret) } }),
  req({ headers: { authorization: 'Bearer ' + hs256({ sub: 'u1', exp: now - 3600, iss: 'https://issuer.example' }, secret) } }),
  req({ headers: { authorization: 'Bearer ' + hs256({ sub: 'u1', exp: now + 3600, iss: 'https://evil.example' }, secret) } }),
  req({ headers: { authorization: 'Bearer ' + hs256({ sub: 'u1', exp: now + 3600, iss: 'https://issuer.example' }, 'wrong-secret') } }),
  req({ headers: { authorization: 'Bearer ' + hs256({ sub: 'u1', iss: 'https://issuer.example' }, secret) } }),
  req({ headers: { authorization: 'Bearer a.b' } }), req({ headers: { authorization: 'Bearer ' } }), req({}),
  req({ headers: { authorization: 'Bearer ' + Buffer.from('{"alg":"none"}').toString('base64url') + '.' + Buffer.from(`{"exp":${now + 99}}`).toString('base64url') + '.' } }),
];

const lambdaHeaderCases: Case[] = [
  { eventType: 'origin-response', init: { status: 200 } }, { eventType: 'origin-response', init: { status: 503 } },
  { eventType: 'origin-response', init: { status: 200, responseHeaders: { 'X-Frame-Options': 'SAMEORIGIN', 'Set-Cookie': ['a=1', 'b=2'] } } },
  { eventType: 'viewer-response', init: { status: 200 } },
];

describe('built-in middleware: artifacts match the source', () => {
  const geo = edge().use(geoRedirect({ countries: ['de', 'fr', 'es'], fallback: 'en' }));
  const auth = edge().use(cacheKeyFromBasicAuth());
  const headers = edge().use(securityHeaders({ cors: '*', headers: { 'x-extra': '1' } }));
  const jwt = edge().use(jwtVerify({ algorithms: ['HS256'], secret, issuer: 'https://issuer.example' }));

  for (const runtime of ['cloudfront-js-1.0', 'cloudfront-js-2.0'] as const) {
    it(`geoRedirect on ${runtime}`, () => expectCfMatchesSource(geo, geoCases, runtime));
    it(`cacheKeyFromBasicAuth on ${runtime}`, () => expectCfMatchesSource(auth, authCases, runtime));
    it(`securityHeaders on ${runtime}`, () => expectCfMatchesSource(headers, headerCases, runtime));
    it(`jwtVerify HS256 on ${runtime}`, () => expectCfMatchesSource(jwt, jwtCases, runtime));
    // The hand-written (direct) lowerings and the context-based handler agree, case by case.
    it(`geoRedirect, cacheKeyFromBasicAuth and securityHeaders without direct lowering on ${runtime}`, async () => {
      await expectCfMatchesSource(geo, geoCases, runtime, undefined, { direct: false });
      await expectCfMatchesSource(auth, authCases, runtime, undefined, { direct: false });
      await expectCfMatchesSource(headers, headerCases, runtime, undefined, { direct: false });
    });
  }
  it('geoRedirect on lambda', () => expectLambdaMatchesSource(geo, [...geoCases, req({ uri: '/x', querystring: '__proto__=2&a=1&__proto__=3' })]));
  it('cacheKeyFromBasicAuth on lambda', () => expectLambdaMatchesSource(auth, authCases));
  it('securityHeaders on lambda (origin-response)', () => expectLambdaMatchesSource(headers, lambdaHeaderCases));
  it('jwtVerify HS256 on lambda', () => expectLambdaMatchesSource(jwt, jwtCases));
  it('geoRedirect, cacheKeyFromBasicAuth and securityHeaders without direct lowering on lambda', async () => {
    await expectLambdaMatchesSource(geo, geoCases, { direct: false });
    await expectLambdaMatchesSource(auth, authCases, { direct: false });
    await expectLambdaMatchesSource(headers, lambdaHeaderCases, { direct: false });
  });
  // As examples/site combines them: the answering hook last, or in the middle of the request hooks.
  const siteCases: Case[] = [
    ...geoCases.slice(0, 8), ...authCases.slice(0, 6), ...headerCases,
    req({ uri: '/pricing', country: 'FR', headers: { authorization: basic('alice:pw') } }),
    req({ uri: '/de/x', country: 'DE', headers: { authorization: basic('bob:pw'), 'username-cache-key': 'forged' } }),
  ];
  const siteOrders = {
    'answer last': edge().use(securityHeaders({ contentSecurityPolicy: "default-src 'self'" })).use(cacheKeyFromBasicAuth()).use(geoRedirect({ countries: ['de', 'fr'], fallback: 'en', status: 302 })),
    'answer in the middle': edge().use(securityHeaders()).use(geoRedirect({ countries: ['de', 'fr'] })).use(cacheKeyFromBasicAuth()),
  };
  for (const [order, pipeline] of Object.entries(siteOrders)) {
    for (const runtime of ['cloudfront-js-1.0', 'cloudfront-js-2.0'] as const) {
      it(`securityHeaders, cacheKeyFromBasicAuth and geoRedirect together (${order}) on ${runtime}`, () => expectCfMatchesSource(pipeline, siteCases, runtime));
    }
    it(`securityHeaders, cacheKeyFromBasicAuth and geoRedirect together (${order}) on lambda`, () => expectLambdaMatchesSource(pipeline, siteCases.filter((c) => c.eventType === 'viewer-request')));
  }
  it('securityHeaders with override: false, both targets', async () => {
    const keep = edge().use(securityHeaders({ override: false, xFrameOptions: 'SAMEORIGIN' }));
    const cases: Case[] = [resp({ status: 200 }), resp({ status: 200, responseHeaders: { 'X-Frame-Options': 'DENY', 'Referrer-Policy': 'no-referrer' } })];
    await expectCfMatchesSource(keep, cases, 'cloudfront-js-1.0');
    await expectCfMatchesSource(keep, cases, 'cloudfront-js-1.0', undefined, { direct: false });
    const atOrigin = cases.map((c) => ({ ...c, eventType: 'origin-response' as const }));
    await expectLambdaMatchesSource(keep, atOrigin);
    await expectLambdaMatchesSource(keep, atOrigin, { direct: false });
  });

  it('jwtVerify RS256 with inline jwks on lambda', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' };
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const rs = (payload: object, kid = 'k1') => {
      const input = `${b64({ alg: 'RS256', kid })}.${b64(payload)}`;
      return `${input}.${sign('RSA-SHA256', Buffer.from(input), privateKey).toString('base64url')}`;
    };
    const p = edge().use(jwtVerify({ algorithms: ['RS256'], jwks: { keys: [jwk] } }));
    await expectLambdaMatchesSource(p, [
      req({ headers: { authorization: 'Bearer ' + rs({ sub: 'u', exp: now + 60 }) } }),
      req({ headers: { authorization: 'Bearer ' + rs({ sub: 'u', exp: now + 60 }, 'other') } }),
      req({ headers: { authorization: 'Bearer ' + rs({ sub: 'u', exp: now - 60 }) } }),
      req({ headers: { authorization: 'Bearer ' + hs256({ sub: 'u', exp: now + 60 }, JSON.stringify(jwk)) } }),
    ]);
  });

  it('originSelect by country on lambda (origin-request) and cloudfront-js-2.0', async () => {
    const p = edge().use(originSelect({
      byCountry: { DE: { s3: { bucket: 'assets-eu', region: 'eu-central-1' } } },
      default: { custom: { domainName: 'origin.example.com' } },
    }));
    const cases = [{ country: 'DE', uri: '/a.png' }, { country: 'US', uri: '/a.png' }, { uri: '/b' }];
    await expectLambdaMatchesSource(p, cases.map((init) => ({ eventType: 'origin-request' as const, init })));
    await expectCfMatchesSource(p, cases.map(req), 'cloudfront-js-2.0');
  });
});
