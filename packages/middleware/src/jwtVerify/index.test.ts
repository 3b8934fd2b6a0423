import { createHmac, createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { buildableFor, checkPipeline, CODES, edge, type Middleware, type Outcome } from '@edgeline/core';
import { eventFor, expectSameEverywhere, lambdaEvent, runPipeline, viewerRequest } from '@edgeline/core/testing';
import { runPortably } from '../testing/portable.js';
import { cognito, jwtVerify, type PublicJwk } from '.';

// ---------------------------------------------------------------------------------------------
// Token helpers

const b64 = (o: unknown) => Buffer.from(typeof o === 'string' ? o : JSON.stringify(o)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
const SECRET = 'a-shared-secret-of-at-least-32-bytes!';
const SECRET_512 = 'x'.repeat(64);

function hmacToken(payload: unknown, secret = SECRET, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }): string {
  const hash = header.alg === 'HS384' ? 'sha384' : header.alg === 'HS512' ? 'sha512' : 'sha256';
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
}

const HASH: Record<string, string> = { RS256: 'sha256', PS256: 'sha256', ES256: 'sha256', ES384: 'sha384', RS512: 'sha512' };
function signedToken(alg: string, payload: unknown, key: KeyObject, header: Record<string, unknown> = {}, dsa: 'ieee-p1363' | 'der' = 'ieee-p1363'): string {
  const input = `${b64({ alg, ...header })}.${b64(payload)}`;
  const options = alg.startsWith('PS')
    ? { key, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: -1 /* digest */ }
    : alg.startsWith('ES') ? { key, dsaEncoding: dsa } : key;
  return `${input}.${sign(HASH[alg], Buffer.from(input), options).toString('base64url')}`;
}

const claims = (extra: Record<string, unknown> = {}) => ({ sub: 'u1', exp: now() + 600, ...extra });
const bearer = (token: string) => ({ authorization: 'Bearer ' + token });

const UNAUTHORIZED = { status: 401, statusDescription: undefined, headers: { 'www-authenticate': ['Bearer'] }, body: undefined };

function denied(out: Outcome): boolean {
  if (out.kind !== 'respond') return false;
  expect(out.response).toEqual(UNAUTHORIZED);
  return true;
}
function allowed(out: Outcome): boolean {
  return out.kind === 'forward';
}

// ---------------------------------------------------------------------------------------------
// HMAC: the same cases for an inlined secret (cf and lambda) and a KeyValueStore secret (cf 2.0)

const ISSUER = 'https://issuer.example';
type Case = [what: string, headers: Record<string, string | string[]>, allow: boolean];

function hmacCases(): Case[] {
  const t = now();
  const noneToken = (sig: string) => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims({ iss: ISSUER }))}.${sig}`;
  const good = hmacToken(claims({ iss: ISSUER }));
  return [
    ['a valid token', bearer(good), true],
    ['a lower-case scheme', { authorization: 'bearer ' + good }, true],
    ['claims with non-ASCII text', bearer(hmacToken(claims({ iss: ISSUER, name: 'Zoë 😀' }))), true],
    // Over 1024 bytes: njs's Function.prototype.apply takes at most 1024 arguments.
    ['a large payload', bearer(hmacToken(claims({ iss: ISSUER, groups: Array.from({ length: 300 }, (_, i) => `group-ë-${i}`) }))), true],
    ['a kid in the header', bearer(hmacToken(claims({ iss: ISSUER }), SECRET, { alg: 'HS256', kid: 'k1' })), true],
    ['nbf in the past and iat', bearer(hmacToken(claims({ iss: ISSUER, nbf: t - 10, iat: t - 10 }))), true],
    ['no Authorization header', {}, false],
    ['an empty bearer', { authorization: 'Bearer ' }, false],
    ['the scheme alone', { authorization: 'Bearer' }, false],
    ['another scheme', { authorization: 'Basic ' + good }, false],
    ['two parts', bearer('a.b'), false],
    ['four parts', bearer(good + '.x'), false],
    ['empty parts', bearer('..'), false],
    ['garbage', bearer('%%%.%%%.%%%'), false],
    ['a truncated signature', bearer(good.slice(0, -3)), false],
    ['a signature with one character changed', bearer(good.slice(0, -1) + (good.endsWith('A') ? 'B' : 'A')), false],
    ['a signature with padding', bearer(good + '='), false],
    ['a header that is not JSON', bearer(`${b64('{not json')}.${good.split('.')[1]}.${good.split('.')[2]}`), false],
    ['a payload that is a JSON array', bearer(hmacToken([1, 2])), false],
    ['a payload that is JSON null', bearer(hmacToken(null)), false],
    ['standard base64 in a part', bearer(good.replace(/^e/, '+')), false],
    ['a lone base64 character in a part', bearer(`${good.split('.')[0]}.x.${good.split('.')[2]}`), false],
    ['a payload that is not UTF-8', bearer((() => {
      const input = `${b64({ alg: 'HS256' })}.${Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')}`;
      return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
    })()), false],
    ['the wrong secret', bearer(hmacToken(claims({ iss: ISSUER }), SECRET + '!')), false],
    ['alg none without a signature', bearer(noneToken('')), false],
    ['alg none with a signature', bearer(noneToken('c2ln')), false],
    ['alg None', bearer(hmacToken(claims({ iss: ISSUER }), SECRET, { alg: 'None' })), false],
    ['an algorithm not allowed (HS512)', bearer(hmacToken(claims({ iss: ISSUER }), SECRET, { alg: 'HS512' })), false],
    ['an RS256 header over an HMAC signature', bearer(hmacToken(claims({ iss: ISSUER }), SECRET, { alg: 'RS256' })), false],
    ['a prototype name as alg', bearer(hmacToken(claims({ iss: ISSUER }), SECRET, { alg: '__proto__' })), false],
    ['constructor as alg', bearer(hmacToken(claims({ iss: ISSUER }), SECRET, { alg: 'constructor' })), false],
    ['alg that is not a string', bearer(hmacToken(claims({ iss: ISSUER }), SECRET, { alg: ['HS256'] })), false],
    ['a crit header', bearer(hmacToken(claims({ iss: ISSUER }), SECRET, { alg: 'HS256', crit: ['exp'] })), false],
    ['an expired token', bearer(hmacToken(claims({ iss: ISSUER, exp: t - 60 }))), false],
    ['exp equal to now', bearer(hmacToken(claims({ iss: ISSUER, exp: t }))), false],
    ['no exp', bearer(hmacToken({ sub: 'u1', iss: ISSUER })), false],
    ['exp as a string', bearer(hmacToken(claims({ iss: ISSUER, exp: String(t + 600) }))), false],
    ['nbf in the future', bearer(hmacToken(claims({ iss: ISSUER, nbf: t + 600 }))), false],
    ['nbf as a string', bearer(hmacToken(claims({ iss: ISSUER, nbf: 'yesterday' }))), false],
    ['iat as a string', bearer(hmacToken(claims({ iss: ISSUER, iat: 'now' }))), false],
    ['the wrong issuer', bearer(hmacToken(claims({ iss: 'https://evil.example' }))), false],
    ['no issuer', bearer(hmacToken(claims())), false],
    ['an issuer that is a prototype name', bearer(hmacToken(claims({ iss: 'constructor' }))), false],
    ['an issuer as a list', bearer(hmacToken(claims({ iss: [ISSUER] }))), false],
    // Issue 12: bounded cost. Over maxTokenLength (8192) or a header segment over 2048 characters: 401 unread.
    ['a 15 KB header segment', bearer(`${b64({ alg: 'HS256', pad: 'x'.repeat(11000) })}.${good.split('.')[1]}.${good.split('.')[2]}`), false],
    ['a token over 8192 characters, validly signed', bearer(hmacToken(claims({ iss: ISSUER, pad: 'p'.repeat(6200) }))), false],
    ['a header segment over 2048 characters, validly signed', bearer(hmacToken(claims({ iss: ISSUER }), SECRET, { alg: 'HS256', pad: 'h'.repeat(1600) })), false],
    ['a signature of the wrong length', bearer(good + good.split('.')[2]), false],
    ['a token just under 8192 characters', bearer(hmacToken(claims({ iss: ISSUER, pad: 'p'.repeat(5900) }))), true],
  ];
}

const hs256 = jwtVerify({ algorithms: ['HS256'], secret: SECRET, issuer: ISSUER });
const hs256Kvs = jwtVerify({ algorithms: ['HS256'], secret: { kvs: 'jwt-secret' }, issuer: ISSUER });
const STORE = { 'jwt-secret': SECRET };

for (const shape of ['cff', 'lambda'] as const) {
  describe(`security: jwtVerify with an HMAC secret (${shape})`, () => {
    for (const [what, headers, allow] of hmacCases()) {
      it(`${allow ? 'lets through' : 'denies'} ${what}`, async () => {
        const out = await runPipeline(hs256, eventFor(shape, 'viewer-request', { headers }));
        expect(allow ? allowed(out) : denied(out)).toBe(true);
      });
    }
  });
}

for (const shape of ['cff', 'lambda'] as const) {
  describe(`security: jwtVerify with more than one Authorization value (${shape})`, () => {
    const forged = hmacToken(claims({ iss: ISSUER, sub: 'admin' }), 'not-the-secret-not-the-secret-not!!');
    const kvsOnCf: [string, Middleware][] = shape === 'cff' ? [['kvs secret', hs256Kvs]] : [];
    const cases: [string, Middleware][] = [['inline secret', hs256], ['inline secret, strip: false', jwtVerify({ algorithms: ['HS256'], secret: SECRET, strip: false })], ...kvsOnCf];
    for (const [what, mw] of cases) {
      it(`denies a valid value followed by a forged one (${what})`, async () => {
        for (const values of [[bearer(hmacToken(claims({ iss: ISSUER }))).authorization, bearer(forged).authorization], [bearer(forged).authorization, bearer(hmacToken(claims({ iss: ISSUER }))).authorization]]) {
          const out = await runPipeline(mw, eventFor(shape, 'viewer-request', { headers: { authorization: values } }), { target: shape === 'cff' ? 'cloudfront-js-2.0' : undefined, kvs: STORE });
          expect(denied(out)).toBe(true);
        }
      });
    }
    it('denies two values with public keys too (lambda hooks)', async () => {
      if (shape !== 'lambda') return;
      const mw = jwtVerify({ algorithms: ['RS256'], jwks: JWKS });
      const t = signedToken('RS256', claims(), rsa.privateKey);
      expect(allowed(await runPipeline(mw, eventFor(shape, 'viewer-request', { headers: bearer(t) })))).toBe(true);
      expect(denied(await runPipeline(mw, eventFor(shape, 'viewer-request', { headers: { authorization: [bearer(t).authorization, bearer(t).authorization] } })))).toBe(true);
    });
  });
}

describe('security: jwtVerify with a KeyValueStore secret (cloudfront-js-2.0)', () => {
  for (const [what, headers, allow] of hmacCases()) {
    it(`${allow ? 'lets through' : 'denies'} ${what}`, async () => {
      const out = await runPipeline(hs256Kvs, viewerRequest({ headers }), { target: 'cloudfront-js-2.0', kvs: STORE });
      expect(allow ? allowed(out) : denied(out)).toBe(true);
    });
  }

  it('denies when the key is missing from the store or empty', async () => {
    const headers = bearer(hmacToken(claims({ iss: ISSUER })));
    expect(denied(await runPipeline(hs256Kvs, viewerRequest({ headers }), { target: 'cloudfront-js-2.0', kvs: {} }))).toBe(true);
    expect(denied(await runPipeline(hs256Kvs, viewerRequest({ headers }), { target: 'cloudfront-js-2.0', kvs: { 'jwt-secret': '' } }))).toBe(true);
    expect(denied(await runPipeline(hs256Kvs, viewerRequest({ headers }), { target: 'cloudfront-js-2.0', kvs: { 'jwt-secret': 'another-secret-of-32-bytes-or-more!!' } }))).toBe(true);
  });

  it('is rejected on cloudfront-js-1.0 and Lambda@Edge, which have no KeyValueStore', () => {
    expect(checkPipeline(edge().use(hs256Kvs), 'cloudfront-js-2.0')).toEqual([]);
    expect(checkPipeline(edge().use(hs256Kvs), 'cloudfront-js-1.0').map((v) => v.capability)).toContain('kvs');
    expect(checkPipeline(edge().use(hs256Kvs), 'lambda').map((v) => v.capability)).toContain('kvs');
  });
});

// The KeyValueStore hook is written for the CloudFront Function derived from it (its options
// fold into the code): each option's decisions in the source and in the artifact (vm emulator, njs).
describe('jwtVerify with a KeyValueStore secret: options, source and artifact (cloudfront-js-2.0)', () => {
  const kvsJwt = (options: Record<string, unknown>) => jwtVerify({ algorithms: ['HS256'], secret: { kvs: 'jwt-secret' }, ...options } as never);
  const decide = async (mw: Middleware, inits: Parameters<typeof viewerRequest>[0][]) => {
    const events = inits.map((init) => viewerRequest(init));
    await expectSameEverywhere(mw, events, { runtimes: ['cloudfront-js-2.0'], kvs: STORE });
    return Promise.all(events.map((e) => runPipeline(mw, e, { target: 'cloudfront-js-2.0', kvs: STORE })));
  };

  it('requireExp: false accepts claims without exp, but only a JSON object', async () => {
    const mw = kvsJwt({ requireExp: false });
    const good = [{ sub: 'u1' }, {}, { sub: 'u1', exp: now() + 60 }];
    const bad = [[1, 2], [], 5, 'claims', true, null, { sub: 'u1', exp: now() - 60 }, { sub: 'u1', exp: 'never' }];
    const outs = await decide(mw, [...good, ...bad].map((p) => ({ headers: bearer(hmacToken(p)) })));
    expect(outs.map((o) => o.kind === 'forward')).toEqual([...good.map(() => true), ...bad.map(() => false)]);
    outs.slice(good.length).forEach((o) => expect(denied(o)).toBe(true));
  });

  it('checks audience (client_id for Cognito access tokens), token_use, maxAge and clockTolerance', async () => {
    const t = now();
    const access = kvsJwt({ tokenUse: 'access', audience: ['app1', 'app2'], maxAge: 300, clockTolerance: 30 });
    const cases: [unknown, boolean][] = [
      [{ token_use: 'access', client_id: 'app2', iat: t - 10, exp: t + 60 }, true],
      [{ token_use: 'access', client_id: 'app2', iat: t + 20, exp: t - 20 }, true],
      [{ token_use: 'access', aud: 'app1', iat: t - 10, exp: t + 60 }, false],
      [{ token_use: 'id', client_id: 'app1', iat: t - 10, exp: t + 60 }, false],
      [{ token_use: 'access', client_id: ['x', 'app1'], iat: t - 10, exp: t + 60 }, true],
      [{ token_use: 'access', client_id: [5, 'x'], iat: t - 10, exp: t + 60 }, false],
      [{ token_use: 'access', client_id: 'app1', iat: t - 400, exp: t + 60 }, false],
      [{ token_use: 'access', client_id: 'app1', iat: t + 60, exp: t + 600 }, false],
      [{ token_use: 'access', client_id: 'app1', exp: t + 60 }, false],
      [{ token_use: 'access', client_id: 'app1', iat: t - 10, exp: t - 60 }, false],
    ];
    const outs = await decide(access, cases.map(([p]) => ({ headers: bearer(hmacToken(p)) })));
    expect(outs.map((o) => o.kind === 'forward')).toEqual(cases.map(([, allow]) => allow));
  });

  it('with a login page and the token in the query string: redirect_uri carries the query string as sent, a valid token is stripped', async () => {
    const mw = kvsJwt({ token: { query: 'jwt' }, unauthorized: { redirect: '/login' } });
    const good = hmacToken(claims());
    const [denyEmpty, denyForged, allowOne, denyTwo] = await decide(mw, [
      { uri: '/a', querystring: 'jwt=&b=2&c' },
      { uri: '/a', querystring: `x=1&jwt=${hmacToken(claims(), 'not-the-secret-not-the-secret-not!!')}&y=` },
      { uri: '/a', querystring: `x=1&jwt=${good}&y=` },
      { uri: '/a', querystring: `jwt=${good}&jwt=${good}` },
    ]);
    expect(redirectedTo(denyEmpty)).toBe('/login?redirect_uri=' + encodeURIComponent('/a?jwt=&b=2&c'));
    expect(redirectedTo(denyForged)).toMatch(/^\/login\?redirect_uri=%2Fa%3Fx%3D1%26jwt%3D[\w.-]+%26y%3D$/);
    expect(allowOne.kind === 'forward' && allowOne.request.querystring).toMatch(/^x=1&y=?$/);
    expect(redirectedTo(denyTwo)).toBe('/login?redirect_uri=' + encodeURIComponent(`/a?jwt=${good}&jwt=${good}`));
  });

  it('denies a signed token with a part of 4n+1 characters, four parts, or a signature outside the alphabet', async () => {
    const [h, p] = hmacToken(claims()).split('.');
    const signed = (input: string) => `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
    // A part of 4n+1 characters (Buffer would drop the last), four parts, a signature outside the alphabet.
    const long = (part: string) => part + 'A'.repeat((5 - (part.length % 4)) % 4);
    const tokens = [signed(`${long(h)}.${p}`), signed(`${h}.${long(p)}`), signed(`${h}.${p}.x`), `${signed(`${h}.${p}`).slice(0, -1)}+`];
    const outs = await decide(kvsJwt({}), tokens.map((tk) => ({ headers: bearer(tk) })));
    outs.forEach((o) => expect(denied(o)).toBe(true));
  });
});

for (const shape of ['cff', 'lambda'] as const) {
  describe(`jwtVerify claims (${shape})`, () => {
    const run = (mw: Middleware, headers: Record<string, string>) => runPipeline(mw, eventFor(shape, 'viewer-request', { headers }));

    it('removes the Authorization header on success unless strip is false', async () => {
      const headers = bearer(hmacToken(claims({ iss: ISSUER })));
      const stripped = await run(hs256, headers);
      expect(stripped.kind === 'forward' && stripped.request.headers.authorization).toBeUndefined();
      const kept = await run(jwtVerify({ algorithms: ['HS256'], secret: SECRET, strip: false }), headers);
      expect(kept.kind === 'forward' && kept.request.headers.authorization).toEqual([headers.authorization]);
    });

    it('allows clock skew up to clockTolerance on exp and nbf', async () => {
      const lenient = jwtVerify({ algorithms: ['HS256'], secret: SECRET, clockTolerance: 30 });
      expect(allowed(await run(lenient, bearer(hmacToken(claims({ exp: now() - 10 })))))).toBe(true);
      expect(allowed(await run(lenient, bearer(hmacToken(claims({ nbf: now() + 10 })))))).toBe(true);
      expect(denied(await run(lenient, bearer(hmacToken(claims({ exp: now() - 60 })))))).toBe(true);
      expect(denied(await run(lenient, bearer(hmacToken(claims({ nbf: now() + 60 })))))).toBe(true);
    });

    it('accepts any of several issuers', async () => {
      const mw = jwtVerify({ algorithms: ['HS256'], secret: SECRET, issuer: ['https://a.example', 'https://b.example'] });
      expect(allowed(await run(mw, bearer(hmacToken(claims({ iss: 'https://b.example' })))))).toBe(true);
      expect(denied(await run(mw, bearer(hmacToken(claims({ iss: 'https://c.example' })))))).toBe(true);
    });

    it('checks aud as a string or a list', async () => {
      const mw = jwtVerify({ algorithms: ['HS256'], secret: SECRET, audience: ['api', 'admin'] });
      expect(allowed(await run(mw, bearer(hmacToken(claims({ aud: 'api' })))))).toBe(true);
      expect(allowed(await run(mw, bearer(hmacToken(claims({ aud: ['other', 'admin'] })))))).toBe(true);
      expect(denied(await run(mw, bearer(hmacToken(claims({ aud: 'other' })))))).toBe(true);
      expect(denied(await run(mw, bearer(hmacToken(claims({ aud: ['other', 1] })))))).toBe(true);
      expect(denied(await run(mw, bearer(hmacToken(claims()))))).toBe(true);
      expect(denied(await run(mw, bearer(hmacToken(claims({ aud: 'toString' })))))).toBe(true);
    });

    it("checks Cognito's token_use, and client_id instead of aud for access tokens", async () => {
      const access = jwtVerify({ algorithms: ['HS256'], secret: SECRET, tokenUse: 'access', audience: 'client-1' });
      expect(allowed(await run(access, bearer(hmacToken(claims({ token_use: 'access', client_id: 'client-1' })))))).toBe(true);
      expect(denied(await run(access, bearer(hmacToken(claims({ token_use: 'id', client_id: 'client-1' })))))).toBe(true);
      expect(denied(await run(access, bearer(hmacToken(claims({ token_use: 'access', client_id: 'client-2' })))))).toBe(true);
      expect(denied(await run(access, bearer(hmacToken(claims({ token_use: 'access', aud: 'client-1' })))))).toBe(true);
      const id = jwtVerify({ algorithms: ['HS256'], secret: SECRET, tokenUse: 'id', audience: 'client-1' });
      expect(allowed(await run(id, bearer(hmacToken(claims({ token_use: 'id', aud: 'client-1' })))))).toBe(true);
      expect(denied(await run(id, bearer(hmacToken(claims({ token_use: 'id', client_id: 'client-1' })))))).toBe(true);
      expect(denied(await run(id, bearer(hmacToken(claims({ aud: 'client-1' })))))).toBe(true);
    });

  });
}

describe('jwtVerify HS384 and HS512 (lambda)', () => {
  it('verifies them on Lambda@Edge (CloudFront Functions hash with sha256 at most)', async () => {
    const mw = jwtVerify({ algorithms: ['HS384', 'HS512'], secret: SECRET_512 });
    const run = (token: string) => runPipeline(mw, lambdaEvent('viewer-request', { headers: bearer(token) }));
    expect(allowed(await run(hmacToken(claims(), SECRET_512, { alg: 'HS384' })))).toBe(true);
    expect(allowed(await run(hmacToken(claims(), SECRET_512, { alg: 'HS512' })))).toBe(true);
    expect(denied(await run(hmacToken(claims(), SECRET_512, { alg: 'HS256' })))).toBe(true);
    expect(denied(await run(hmacToken(claims(), SECRET_512 + 'x', { alg: 'HS512' })))).toBe(true);
    await expect(runPipeline(mw, viewerRequest({ headers: bearer(hmacToken(claims(), SECRET_512, { alg: 'HS512' })) }))).rejects.toMatchObject({ code: CODES.rejected });
  });
});

// ---------------------------------------------------------------------------------------------
// Public keys (Lambda@Edge)

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsa2 = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ec384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const jwkOf = (k: KeyObject, extra: Record<string, string>) => ({ ...(k.export({ format: 'jwk' }) as PublicJwk), ...extra });
const RSA_JWK = jwkOf(rsa.publicKey, { kid: 'r1', use: 'sig' });
const EC_JWK = jwkOf(ec.publicKey, { kid: 'e1', alg: 'ES256' });
const EC384_JWK = jwkOf(ec384.publicKey, { kid: 'e3' });
const JWKS = { keys: [RSA_JWK, EC_JWK, EC384_JWK] };

describe('security: jwtVerify with inline public keys (lambda)', () => {
  const mw = jwtVerify({ algorithms: ['RS256', 'PS256', 'ES256', 'ES384'], jwks: JWKS, issuer: ISSUER });
  const run = (token: string) => runPipeline(mw, lambdaEvent('viewer-request', { headers: bearer(token) }));
  const ok = claims({ iss: ISSUER });

  it('verifies RS256, PS256, ES256 and ES384 tokens', async () => {
    expect(allowed(await run(signedToken('RS256', ok, rsa.privateKey, { kid: 'r1' })))).toBe(true);
    expect(allowed(await run(signedToken('PS256', ok, rsa.privateKey, { kid: 'r1' })))).toBe(true);
    expect(allowed(await run(signedToken('ES256', ok, ec.privateKey, { kid: 'e1' })))).toBe(true);
    expect(allowed(await run(signedToken('ES384', ok, ec384.privateKey, { kid: 'e3' })))).toBe(true);
    // Without a kid every key of the right type is tried.
    expect(allowed(await run(signedToken('RS256', ok, rsa.privateKey)))).toBe(true);
  });

  const cases: [string, () => string][] = [
    ['a kid not in the set', () => signedToken('RS256', ok, rsa.privateKey, { kid: 'r9' })],
    ['a kid of another key', () => signedToken('RS256', ok, rsa.privateKey, { kid: 'e1' })],
    ['a kid that is not a string', () => signedToken('RS256', ok, rsa.privateKey, { kid: 1 } as never)],
    ['a token signed by another key', () => signedToken('RS256', ok, rsa2.privateKey, { kid: 'r1' })],
    ['an HS256 token whose secret is the public JWK (algorithm confusion)', () => hmacToken(ok, JSON.stringify(RSA_JWK), { alg: 'HS256', kid: 'r1' })],
    ['an HS256 token whose secret is the public PEM (algorithm confusion)', () => hmacToken(ok, rsa.publicKey.export({ format: 'pem', type: 'spki' }) as string, { alg: 'HS256' })],
    ['alg none', () => `${b64({ alg: 'none' })}.${b64(ok)}.`],
    ['an algorithm not allowed (RS512)', () => signedToken('RS512', ok, rsa.privateKey, { kid: 'r1' })],
    ['an RS256 header over an ECDSA signature', () => signedToken('ES256', ok, ec.privateKey, { kid: 'e1' }).replace(/^[^.]+/, b64({ alg: 'RS256', kid: 'e1' }))],
    ['an ES256 token against a P-384 key', () => signedToken('ES256', ok, ec384.privateKey, { kid: 'e3' })],
    ['an ES384 token against a key pinned to ES256', () => signedToken('ES384', ok, ec.privateKey, { kid: 'e1' })],
    ['a DER-encoded ECDSA signature', () => signedToken('ES256', ok, ec.privateKey, { kid: 'e1' }, 'der')],
    ['a truncated RSA signature', () => signedToken('RS256', ok, rsa.privateKey, { kid: 'r1' }).slice(0, -4)],
    ['a signature outside the base64url alphabet', () => signedToken('RS256', ok, rsa.privateKey, { kid: 'r1' }).replace(/.$/, '+')],
    ['an expired token', () => signedToken('RS256', claims({ iss: ISSUER, exp: now() - 1 }), rsa.privateKey, { kid: 'r1' })],
    ['nbf in the future', () => signedToken('RS256', claims({ iss: ISSUER, nbf: now() + 60 }), rsa.privateKey, { kid: 'r1' })],
    ['the wrong issuer', () => signedToken('RS256', claims({ iss: 'https://evil.example' }), rsa.privateKey, { kid: 'r1' })],
    ['no exp', () => signedToken('RS256', { iss: ISSUER }, rsa.privateKey, { kid: 'r1' })],
    ['a crit header', () => signedToken('RS256', ok, rsa.privateKey, { kid: 'r1', crit: ['b64'], b64: false })],
    ['garbage', () => 'eyJ.eyJ.sig'],
    ['a token with whitespace inside', () => signedToken('RS256', ok, rsa.privateKey, { kid: 'r1' }).replace('.', ' .')],
  ];
  for (const [what, token] of cases) {
    it(`denies ${what}`, async () => {
      expect(denied(await run(token()))).toBe(true);
    });
  }

  it('denies a PS256 token against a key pinned to RS256', async () => {
    const pinned = jwtVerify({ algorithms: ['RS256', 'PS256'], jwks: { keys: [{ ...RSA_JWK, alg: 'RS256' }] } });
    const out = await runPipeline(pinned, lambdaEvent('viewer-request', { headers: bearer(signedToken('PS256', claims(), rsa.privateKey, { kid: 'r1' })) }));
    expect(denied(out)).toBe(true);
  });

  it('imports the keys once per config, not per request', async () => {
    const fresh = jwtVerify({ algorithms: ['RS256'], jwks: { keys: [RSA_JWK] } });
    const token = signedToken('RS256', claims(), rsa.privateKey, { kid: 'r1' });
    await runPipeline(fresh, lambdaEvent('viewer-request', { headers: bearer(token) }));
    const memo = (globalThis as unknown as { __edgelineJwks: WeakMap<object, unknown[]> }).__edgelineJwks;
    const imported = memo.get(fresh.config as object);
    expect(imported).toHaveLength(1);
    await runPipeline(fresh, lambdaEvent('viewer-request', { headers: bearer(token) }));
    expect(memo.get(fresh.config as object)).toBe(imported);
  });

  it('inlines only the public members of each key', () => {
    const withExtras = jwtVerify({ algorithms: ['RS256'], jwks: { keys: [{ ...RSA_JWK, x5c: ['MIIB...'], ext: true } as PublicJwk] } });
    const keys = (withExtras.config as { keys: { jwk: object }[] }).keys;
    expect(Object.keys(keys[0].jwk).sort()).toEqual(['e', 'kty', 'n']);
  });

  it('leaves keys for encryption out of the set', async () => {
    const mixed = jwtVerify({ algorithms: ['RS256'], jwks: { keys: [{ ...jwkOf(rsa2.publicKey, { kid: 'enc', use: 'enc' }) }, RSA_JWK] } });
    expect((mixed.config as { keys: unknown[] }).keys).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------
// A key set fetched from a URL (Lambda@Edge)

describe('security: jwtVerify with jwksUrl (lambda)', () => {
  let server: Server;
  let hanging: Server;
  let base = '';
  let hangingUrl = '';
  let deadUrl = '';
  let hits = 0;
  const listen = (s: Server) => new Promise<string>((resolve) => s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)));

  beforeAll(async () => {
    server = createServer((req, res) => {
      hits++;
      if (req.url === '/jwks.json') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [RSA_JWK, EC_JWK] }));
      } else if (req.url === '/broken.json') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys": [');
      } else {
        res.writeHead(500).end('oops');
      }
    });
    base = await listen(server);
    // Accepts the connection and never answers.
    hanging = createServer(() => {});
    hangingUrl = `${await listen(hanging)}/jwks.json`;
    // Nothing listens on a port just freed.
    const dead = createServer();
    deadUrl = `${await listen(dead)}/jwks.json`;
    await new Promise((resolve) => dead.close(resolve));
  });
  afterAll(async () => {
    hanging.closeAllConnections();
    server.closeAllConnections();
    await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => hanging.close(r))]);
  });

  const run = (mw: Middleware, token: string) => runPipeline(mw, lambdaEvent('viewer-request', { headers: bearer(token) }));
  const rs = (payload: unknown, kid = 'r1') => signedToken('RS256', payload, rsa.privateKey, { kid });

  it('verifies a token against the fetched keys, fetching once for many requests', async () => {
    const mw = jwtVerify({ algorithms: ['RS256', 'ES256'], jwksUrl: `${base}/jwks.json`, issuer: ISSUER, audience: 'api' });
    const before = hits;
    expect(allowed(await run(mw, rs(claims({ iss: ISSUER, aud: 'api' }))))).toBe(true);
    expect(allowed(await run(mw, signedToken('ES256', claims({ iss: ISSUER, aud: ['x', 'api'] }), ec.privateKey, { kid: 'e1' })))).toBe(true);
    expect(allowed(await run(mw, rs(claims({ iss: ISSUER, aud: 'api' }))))).toBe(true);
    expect(hits - before).toBe(1);
  });

  it('denies what the inline key set denies', async () => {
    const mw = jwtVerify({ algorithms: ['RS256'], jwksUrl: `${base}/jwks.json`, issuer: ISSUER, audience: 'api' });
    const ok = claims({ iss: ISSUER, aud: 'api' });
    for (const token of [
      rs(ok, 'r9'),
      signedToken('RS256', ok, rsa2.privateKey, { kid: 'r1' }),
      hmacToken(ok, JSON.stringify(RSA_JWK), { alg: 'HS256', kid: 'r1' }),
      `${b64({ alg: 'none' })}.${b64(ok)}.`,
      signedToken('ES256', ok, ec.privateKey, { kid: 'e1' }),
      rs(claims({ iss: ISSUER, aud: 'api', exp: now() - 5 })),
      rs(claims({ iss: ISSUER, aud: 'api', nbf: now() + 60 })),
      rs(claims({ iss: 'https://evil.example', aud: 'api' })),
      rs(claims({ iss: ISSUER, aud: 'other' })),
      rs({ iss: ISSUER, aud: 'api' }),
      'a.b',
      rs(ok).slice(0, -2),
    ]) {
      expect(denied(await run(mw, token))).toBe(true);
    }
  });

  it('checks token_use and client_id for Cognito access tokens', async () => {
    const options = cognito({ region: 'eu-west-1', userPoolId: 'eu-west-1_AbC123', tokenUse: 'access', clientId: 'client-1' });
    const mw = jwtVerify({ algorithms: ['RS256'], ...options, jwksUrl: `${base}/jwks.json` });
    const iss = options.issuer;
    expect(allowed(await run(mw, rs(claims({ iss, token_use: 'access', client_id: 'client-1' }))))).toBe(true);
    expect(denied(await run(mw, rs(claims({ iss, token_use: 'id', client_id: 'client-1', aud: 'client-1' }))))).toBe(true);
    expect(denied(await run(mw, rs(claims({ iss, token_use: 'access', client_id: 'client-2' }))))).toBe(true);
    expect(denied(await run(mw, rs(claims({ iss, token_use: 'access', aud: 'client-1' }))))).toBe(true);
    expect(denied(await run(mw, rs(claims({ iss: ISSUER, token_use: 'access', client_id: 'client-1' }))))).toBe(true);
  });

  it('denies when the key set is unreachable, slow or broken: never allows', async () => {
    const token = rs(claims());
    for (const jwksUrl of [deadUrl, `${base}/missing.json`, `${base}/broken.json`]) {
      expect(denied(await run(jwtVerify({ algorithms: ['RS256'], jwksUrl }), token))).toBe(true);
    }
    expect(denied(await run(jwtVerify({ algorithms: ['RS256'], jwksUrl: hangingUrl, jwksTimeout: 100 }), token))).toBe(true);
  });

  it('reads the token from a cookie or the query string, with requireExp: false and maxAge (jose maxTokenAge)', async () => {
    const t = now();
    const cookie = jwtVerify({ algorithms: ['RS256'], jwksUrl: `${base}/jwks.json`, token: { cookie: 'id_token' }, requireExp: false, maxAge: 300 });
    const viaCookie = (token: string | string[]) => runPipeline(cookie, lambdaEvent('viewer-request', { cookies: { id_token: token } }));
    expect(allowed(await viaCookie(rs({ sub: 'u1', iat: t - 10 })))).toBe(true);
    expect(denied(await viaCookie(rs({ sub: 'u1', iat: t - 400 })))).toBe(true);
    expect(denied(await viaCookie(rs({ sub: 'u1' })))).toBe(true);
    expect(denied(await viaCookie(rs({ sub: 'u1', iat: t - 10, exp: t - 1 })))).toBe(true);
    expect(denied(await viaCookie([rs({ sub: 'u1', iat: t - 10 }), rs({ sub: 'u1', iat: t - 10 })]))).toBe(true);
    const query = jwtVerify({ algorithms: ['RS256'], jwksUrl: `${base}/jwks.json`, token: { query: 'jwt' }, unauthorized: { redirect: '/login' } });
    const out = await runPipeline(query, lambdaEvent('viewer-request', { uri: '/a', querystring: `x=1&jwt=${rs(claims())}` }));
    expect(out.kind === 'forward' && out.request.querystring).toBe('x=1');
    const no = await runPipeline(query, lambdaEvent('viewer-request', { uri: '/a', querystring: `jwt=${rs(claims({ exp: t - 5 }))}` }));
    expect(no.kind === 'respond' && no.response.status).toBe(302);
  });

  it('needs network and async, so it is Lambda@Edge only', () => {
    const mw = jwtVerify({ algorithms: ['RS256'], jwksUrl: `${base}/jwks.json` });
    expect([...mw.needs].sort()).toEqual(['async', 'crypto:verify', 'network']);
    expect(checkPipeline(edge().use(mw), 'lambda')).toEqual([]);
    expect(checkPipeline(edge().use(mw), 'cloudfront-js-2.0').map((v) => v.capability).sort()).toEqual(['crypto:verify', 'network']);
  });
});

// ---------------------------------------------------------------------------------------------

describe('jwtVerify capabilities', () => {
  it('declares exactly what its options need', () => {
    expect(hs256.needs).toEqual(['crypto:hmac']);
    expect(jwtVerify({ algorithms: ['HS512'], secret: SECRET_512 }).needs).toEqual(['crypto:hmac', 'crypto:verify']);
    expect(hs256Kvs.needs).toEqual(['crypto:hmac', 'kvs', 'async']);
    expect(jwtVerify({ algorithms: ['RS256'], jwks: JWKS }).needs).toEqual(['crypto:verify']);
    expect(jwtVerify({ algorithms: ['RS256'], jwksUrl: 'https://issuer.example/jwks.json' }).needs).toEqual(['crypto:verify', 'network', 'async']);
  });

  it('carries them in its type', () => {
    expectTypeOf(hs256).toEqualTypeOf<Middleware<'crypto:hmac'>>();
    expectTypeOf(jwtVerify({ algorithms: ['HS256', 'HS512'], secret: SECRET_512 })).toEqualTypeOf<Middleware<'crypto:hmac' | 'crypto:verify'>>();
    expectTypeOf(hs256Kvs).toEqualTypeOf<Middleware<'crypto:hmac' | 'kvs' | 'async'>>();
    expectTypeOf(jwtVerify({ algorithms: ['RS256'], jwks: JWKS })).toEqualTypeOf<Middleware<'crypto:verify'>>();
    expectTypeOf(jwtVerify({ algorithms: ['RS256'], ...cognito({ region: 'eu-west-1', userPoolId: 'eu-west-1_AbC123', tokenUse: 'id' }) }))
      .toEqualTypeOf<Middleware<'crypto:verify' | 'network' | 'async'>>();
    buildableFor('cloudfront-js-1.0', edge().use(hs256));
    buildableFor('cloudfront-js-2.0', edge().use(hs256Kvs));
    buildableFor('lambda', edge().use(jwtVerify({ algorithms: ['RS256'], jwks: JWKS })));
    // @ts-expect-error RSA verification is Lambda@Edge only
    buildableFor('cloudfront-js-2.0', edge().use(jwtVerify({ algorithms: ['RS256'], jwks: JWKS })));
    // @ts-expect-error the KeyValueStore is a CloudFront Functions 2.0 feature
    buildableFor('lambda', edge().use(hs256Kvs));
    expect(() =>
      // @ts-expect-error an HMAC secret verifies HMAC algorithms only
      jwtVerify({ algorithms: ['RS256'], secret: SECRET }),
    ).toThrow();
    expect(() =>
      // @ts-expect-error one key source only
      jwtVerify({ algorithms: ['RS256'], jwks: JWKS, jwksUrl: 'https://issuer.example/jwks.json' }),
    ).toThrow();
  });

  it('runs HS256 on every target, public keys on Lambda@Edge only', () => {
    for (const target of ['cloudfront-js-1.0', 'cloudfront-js-2.0', 'lambda'] as const) expect(checkPipeline(edge().use(hs256), target)).toEqual([]);
    const rs256 = edge().use(jwtVerify({ algorithms: ['RS256'], jwks: JWKS }));
    expect(checkPipeline(rs256, 'lambda')).toEqual([]);
    for (const target of ['cloudfront-js-1.0', 'cloudfront-js-2.0'] as const) {
      expect(checkPipeline(rs256, target)).toEqual([expect.objectContaining({ middleware: 'jwtVerify', capability: 'crypto:verify' })]);
    }
    expect(checkPipeline(edge().use(jwtVerify({ algorithms: ['HS384'], secret: SECRET_512 })), 'cloudfront-js-1.0').map((v) => v.capability)).toEqual(['crypto:verify']);
  });

  it('answers 401 when a hook throws (onError)', () => {
    for (const mw of [hs256, hs256Kvs, jwtVerify({ algorithms: ['RS256'], jwks: JWKS })]) {
      expect(mw.onError).toEqual({ status: 401, headers: { 'www-authenticate': 'Bearer' } });
    }
  });
});

describe('jwtVerify HMAC hooks lowered to ES5, in njs and in Node', () => {
  const cases = () => hmacCases().map(([, headers]) => ({ headers: headers as Record<string, string>, kvs: STORE }));
  const expected = () => hmacCases().map(([, , allow]) => allow);

  it('gives the same decisions for an inlined secret', async () => {
    const { njs, node } = await runPortably(hs256, 'request', cases());
    expect(njs).toEqual(node);
    expect(njs.map((r) => r.result === null)).toEqual(expected());
    expect(njs.filter((r) => r.result !== null).every((r) => JSON.stringify(r.result) === JSON.stringify({ status: 401, headers: { 'www-authenticate': 'Bearer' } }))).toBe(true);
    expect(njs.filter((r) => r.result === null).every((r) => r.headers.authorization === undefined)).toBe(true);
  });

  it('gives the same decisions for a KeyValueStore secret (the async cloudfront-js-2.0 artifact, in njs and the vm emulator)', async () => {
    const events = hmacCases().map(([, headers]) => viewerRequest({ headers: headers as Record<string, string> }));
    const outs = await Promise.all(events.map((e) => runPipeline(hs256Kvs, e, { kvs: STORE })));
    expect(outs.map((o) => o.kind === 'forward')).toEqual(expected());
    await expectSameEverywhere(hs256Kvs, events, { runtimes: ['cloudfront-js-2.0'], kvs: STORE });
  });
});

describe('jwtVerify options', () => {
  const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
  const bad: [string, unknown][] = [
    ['algorithms', { secret: SECRET }],
    ['algorithms', { algorithms: [], secret: SECRET }],
    ['algorithms', { algorithms: ['none'], secret: SECRET }],
    ['algorithms', { algorithms: ['HS256', 'NONE'], secret: SECRET }],
    ['algorithms', { algorithms: ['HS257'], secret: SECRET }],
    ['algorithms', { algorithms: 'HS256', secret: SECRET }],
    ['algorithms', { algorithms: ['RS256'], secret: SECRET }],
    ['algorithms', { algorithms: ['HS256', 'RS256'], secret: SECRET }],
    ['algorithms', { algorithms: ['HS256'], jwks: JWKS }],
    ['algorithms', { algorithms: ['HS256'], jwksUrl: 'https://issuer.example/jwks.json' }],
    ['algorithms', { algorithms: ['HS512'], secret: { kvs: 'k' } }],
    ['secret', { algorithms: ['HS256'] }],
    ['jwks', { algorithms: ['RS256'], secret: SECRET, jwks: JWKS }],
    ['jwksUrl', { algorithms: ['RS256'], jwks: JWKS, jwksUrl: 'https://issuer.example/jwks.json' }],
    ['secret', { algorithms: ['HS256'], secret: 'short' }],
    ['secret', { algorithms: ['HS256', 'HS512'], secret: SECRET }],
    ['secret', { algorithms: ['HS256'], secret: '' }],
    ['secret.kvs', { algorithms: ['HS256'], secret: { kvs: '' } }],
    ['secret.kvs', { algorithms: ['HS256'], secret: { kvs: 'k'.repeat(513) } }],
    ['key', { algorithms: ['HS256'], secret: { key: 'k' } }],
    ['jwks', { algorithms: ['RS256'], jwks: { keys: [] } }],
    ['jwks', { algorithms: ['RS256'], jwks: [RSA_JWK] }],
    ['jwks', { algorithms: ['ES512'], jwks: JWKS }],
    ['jwks.keys[0]', { algorithms: ['RS256'], jwks: { keys: [rsa.privateKey.export({ format: 'jwk' })] } }],
    ['jwks.keys[0]', { algorithms: ['RS256'], jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } }],
    ['jwks.keys[0]', { algorithms: ['RS256'], jwks: { keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'abc' }] } }],
    ['jwks.keys[0]', { algorithms: ['RS256'], jwks: { keys: [{ kty: 'RSA', n: 'AQAB' }] } }],
    ['jwks.keys[0]', { algorithms: ['RS256'], jwks: { keys: [{ kty: 'RSA', n: '!!!', e: 'AQAB' }] } }],
    ['jwks.keys[0]', { algorithms: ['RS256'], jwks: { keys: [weak.export({ format: 'jwk' })] } }],
    ['jwks.keys[0]', { algorithms: ['RS256'], jwks: { keys: [{ ...RSA_JWK, alg: 'HS256' }] } }],
    ['jwks.keys[0]', { algorithms: ['RS256'], jwks: { keys: [{ ...RSA_JWK, kid: 7 }] } }],
    ['jwksUrl', { algorithms: ['RS256'], jwksUrl: 'http://issuer.example/jwks.json' }],
    ['jwksUrl', { algorithms: ['RS256'], jwksUrl: 'not a url' }],
    ['jwksUrl', { algorithms: ['RS256'], jwksUrl: 'file:///etc/passwd' }],
    ['jwksTimeout', { algorithms: ['HS256'], secret: SECRET, jwksTimeout: 100 }],
    ['jwksTimeout', { algorithms: ['RS256'], jwksUrl: 'https://issuer.example/jwks.json', jwksTimeout: 0 }],
    ['clockTolerance', { algorithms: ['HS256'], secret: SECRET, clockTolerance: -1 }],
    ['clockTolerance', { algorithms: ['HS256'], secret: SECRET, clockTolerance: '30s' }],
    ['tokenUse', { algorithms: ['HS256'], secret: SECRET, tokenUse: 'refresh' }],
    ['issuer', { algorithms: ['HS256'], secret: SECRET, issuer: '' }],
    ['issuer', { algorithms: ['HS256'], secret: SECRET, issuer: [] }],
    ['audience[1]', { algorithms: ['HS256'], secret: SECRET, audience: ['a', 2] }],
    ['strip', { algorithms: ['HS256'], secret: SECRET, strip: 'yes' }],
    ['algorithm', { algorithm: 'HS256', algorithms: ['HS256'], secret: SECRET }],
    ['maxTokenLength', { algorithms: ['HS256'], secret: SECRET, maxTokenLength: 100 }],
    ['maxTokenLength', { algorithms: ['HS256'], secret: SECRET, maxTokenLength: 100000 }],
    ['maxTokenLength', { algorithms: ['HS256'], secret: SECRET, maxTokenLength: 4096.5 }],
    ['maxTokenLength', { algorithms: ['HS256'], secret: SECRET, maxTokenLength: '8k' }],
  ];
  for (const [option, options] of bad) {
    it(`refuses ${JSON.stringify(options).slice(0, 120)}, naming ${option}`, () => {
      expect(() => jwtVerify(options as never)).toThrow(expect.objectContaining({ code: CODES.config, option }));
      expect(() => jwtVerify(options as never)).toThrow(/^jwtVerify \S+: /);
    });
  }

  it('keeps a private key out of the artifact even when it has a kid', () => {
    const jwk = { ...(createPrivateKey(rsa.privateKey.export({ format: 'pem', type: 'pkcs8' })).export({ format: 'jwk' }) as PublicJwk), kid: 'r1' };
    expect(() => jwtVerify({ algorithms: ['RS256'], jwks: { keys: [jwk] } })).toThrow(/private key material/);
  });
});

describe('cognito', () => {
  it('fills issuer, jwksUrl, tokenUse and the app client', () => {
    expect(cognito({ region: 'eu-west-1', userPoolId: 'eu-west-1_AbC123', tokenUse: 'access', clientId: '1example23456789' })).toEqual({
      issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123',
      jwksUrl: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123/.well-known/jwks.json',
      tokenUse: 'access',
      audience: ['1example23456789'],
    });
    expect(cognito({ region: 'us-east-1', userPoolId: 'us-east-1_X', tokenUse: 'id' })).not.toHaveProperty('audience');
  });

  const bad: [string, unknown][] = [
    ['region', { region: 'europe', userPoolId: 'europe_X', tokenUse: 'id' }],
    ['userPoolId', { region: 'eu-west-1', userPoolId: 'us-east-1_AbC123', tokenUse: 'id' }],
    ['userPoolId', { region: 'eu-west-1', userPoolId: 'eu-west-1_../x', tokenUse: 'id' }],
    ['userPoolId', { region: 'eu-west-1', tokenUse: 'id' }],
    ['tokenUse', { region: 'eu-west-1', userPoolId: 'eu-west-1_AbC123' }],
    ['clientId', { region: 'eu-west-1', userPoolId: 'eu-west-1_AbC123', tokenUse: 'id', clientId: '' }],
    ['userPool', { region: 'eu-west-1', userPool: 'eu-west-1_AbC123', userPoolId: 'eu-west-1_AbC123', tokenUse: 'id' }],
  ];
  for (const [option, options] of bad) {
    it(`refuses ${JSON.stringify(options)}, naming ${option}`, () => {
      expect(() => cognito(options as never)).toThrow(expect.objectContaining({ code: CODES.config, option }));
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Issue 17: token sources, requireExp, maxAge, unauthorized.redirect

const LOGIN = 'https://login.example/oauth2/authorize?client_id=abc';
function redirectedTo(out: Outcome): string | undefined {
  if (out.kind !== 'respond') return undefined;
  expect(out.response.status).toBe(302);
  expect(Object.keys(out.response.headers)).toEqual(['location']);
  return out.response.headers.location[0];
}

for (const shape of ['cff', 'lambda'] as const) {
  describe(`jwtVerify token sources (${shape})`, () => {
    const good = () => hmacToken(claims({ iss: ISSUER }));
    const fromCookie = jwtVerify({ algorithms: ['HS256'], secret: SECRET, issuer: ISSUER, token: { cookie: 'id_token' } });
    const fromQuery = jwtVerify({ algorithms: ['HS256'], secret: SECRET, issuer: ISSUER, token: { query: 'token' } });
    const run = (mw: Middleware, init: Parameters<typeof eventFor>[2]) => runPipeline(mw, eventFor(shape, 'viewer-request', init));

    it('reads a cookie, and leaves the Authorization header and the cookie alone', async () => {
      const out = await run(fromCookie, { cookies: { theme: 'dark', id_token: good() }, headers: { authorization: 'Basic YTpi' } });
      expect(allowed(out)).toBe(true);
      if (out.kind === 'forward') {
        expect(out.request.headers.authorization).toEqual(['Basic YTpi']);
      }
      // A valid bearer token does not stand in for the cookie.
      expect(denied(await run(fromCookie, { headers: bearer(good()) }))).toBe(true);
    });

    it('reads a query parameter and removes it (strip), or keeps it with strip: false', async () => {
      const out = await run(fromQuery, { uri: '/file', querystring: `a=1&token=${good()}&b=2` });
      expect(out.kind === 'forward' && out.request.querystring).toBe('a=1&b=2');
      const kept = await run(jwtVerify({ algorithms: ['HS256'], secret: SECRET, issuer: ISSUER, token: { query: 'token' }, strip: false }), { querystring: `token=${good()}` });
      expect(kept.kind === 'forward' && kept.request.querystring).toMatch(/^token=[\w-]+\.[\w-]+\.[\w-]+$/);
      // A percent-encoded character is decoded first, as the query string map does.
      expect(allowed(await run(fromQuery, { querystring: `token=${good().replace('.', '%2E')}` }))).toBe(true);
    });

    it('denies a cookie or parameter sent twice, empty, missing, or over maxTokenLength (before decoding)', async () => {
      expect(denied(await run(fromCookie, { cookies: { id_token: [good(), good()] } }))).toBe(true);
      expect(denied(await run(fromCookie, { cookies: { id_token: '' } }))).toBe(true);
      expect(denied(await run(fromCookie, { cookies: { other: good() } }))).toBe(true);
      expect(denied(await run(fromQuery, { querystring: `token=${good()}&token=${good()}` }))).toBe(true);
      expect(denied(await run(fromQuery, { querystring: 'token' }))).toBe(true);
      expect(denied(await run(fromQuery, { querystring: `token=+${good()}` }))).toBe(true);
      const long = hmacToken(claims({ iss: ISSUER, pad: 'p'.repeat(6200) }));
      expect(long.length).toBeGreaterThan(8192);
      expect(denied(await run(fromCookie, { cookies: { id_token: long } }))).toBe(true);
      expect(denied(await run(fromQuery, { querystring: `token=${long}` }))).toBe(true);
      expect(denied(await run(fromCookie, { cookies: { id_token: 'A'.repeat(20000) } }))).toBe(true);
    });

    it('denies the HMAC cases read from a cookie as from the header', async () => {
      for (const [what, headers, allow] of hmacCases()) {
        const value = (Array.isArray(headers.authorization) ? headers.authorization[0] : headers.authorization) ?? '';
        // Only a well-formed "Bearer <token>" carries a token a cookie could carry.
        if (!/^bearer /i.test(value) || value.slice(7) !== value.slice(7).trim()) continue;
        const out = await run(fromCookie, { cookies: { id_token: value.slice(7) } });
        expect(allow ? allowed(out) : denied(out), what).toBe(true);
      }
    });
  });

  describe(`jwtVerify requireExp and maxAge (${shape})`, () => {
    const run = (mw: Middleware, payload: unknown) => runPipeline(mw, eventFor(shape, 'viewer-request', { headers: bearer(hmacToken(payload)) }));

    it('accepts a token without exp when requireExp is false, and still checks an exp that is there', async () => {
      const t = now();
      const mw = jwtVerify({ algorithms: ['HS256'], secret: SECRET, requireExp: false });
      expect(mw.warnings).toEqual([expect.stringMatching(/without maxAge/)]);
      expect(allowed(await run(mw, { sub: 'u1' }))).toBe(true);
      expect(allowed(await run(mw, { sub: 'u1', exp: t + 60 }))).toBe(true);
      expect(denied(await run(mw, { sub: 'u1', exp: t - 60 }))).toBe(true);
      expect(denied(await run(mw, { sub: 'u1', exp: 'never' }))).toBe(true);
      expect(denied(await run(mw, { sub: 'u1', exp: null }))).toBe(true);
      expect(denied(await run(hs256, { sub: 'u1', iss: ISSUER }))).toBe(true);
    });

    it('checks iat against maxAge: a token without iat is denied, so is one issued in the future', async () => {
      const t = now();
      const mw = jwtVerify({ algorithms: ['HS256'], secret: SECRET, requireExp: false, maxAge: 300, clockTolerance: 5 });
      expect(mw.warnings).toEqual([]);
      expect(allowed(await run(mw, { sub: 'u1', iat: t - 10 }))).toBe(true);
      expect(allowed(await run(mw, { sub: 'u1', iat: t - 303 }))).toBe(true);
      expect(allowed(await run(mw, { sub: 'u1', iat: t + 3 }))).toBe(true);
      expect(denied(await run(mw, { sub: 'u1', iat: t - 310 }))).toBe(true);
      expect(denied(await run(mw, { sub: 'u1', iat: t + 60 }))).toBe(true);
      expect(denied(await run(mw, { sub: 'u1' }))).toBe(true);
      expect(denied(await run(mw, { sub: 'u1', iat: String(t) }))).toBe(true);
      expect(denied(await run(mw, { sub: 'u1', iat: t - 10, exp: t - 10 }))).toBe(true);
      // With exp required (the default) both hold.
      const both = jwtVerify({ algorithms: ['HS256'], secret: SECRET, maxAge: 60 });
      expect(allowed(await run(both, { sub: 'u1', iat: t - 10, exp: t + 600 }))).toBe(true);
      expect(denied(await run(both, { sub: 'u1', iat: t - 100, exp: t + 600 }))).toBe(true);
      expect(denied(await run(both, { sub: 'u1', iat: t - 10 }))).toBe(true);
    });
  });

  describe(`security: jwtVerify unauthorized.redirect (${shape})`, () => {
    const mw = jwtVerify({ algorithms: ['HS256'], secret: SECRET, token: { cookie: 'id_token' }, unauthorized: { redirect: LOGIN } });
    const run = (init: Parameters<typeof eventFor>[2]) => runPipeline(mw, eventFor(shape, 'viewer-request', init));

    it('sends a denied browser to the login page with redirect_uri, and lets a valid token through', async () => {
      expect(redirectedTo(await run({ uri: '/orders/42', querystring: 'tab=open' }))).toBe(`${LOGIN}&redirect_uri=%2Forders%2F42%3Ftab%3Dopen`);
      expect(redirectedTo(await run({ uri: '/' }))).toBe(`${LOGIN}&redirect_uri=%2F`);
      expect(allowed(await run({ cookies: { id_token: hmacToken(claims()) } }))).toBe(true);
      const path = jwtVerify({ algorithms: ['HS256'], secret: SECRET, unauthorized: { redirect: '/login' } });
      const out = await runPipeline(path, eventFor(shape, 'viewer-request', { uri: '/a' }));
      expect(redirectedTo(out)).toBe('/login?redirect_uri=%2Fa');
    });

    it('encodes whatever the viewer sent: no CR/LF, & or # of theirs escapes redirect_uri', async () => {
      for (const [uri, querystring] of [['/x\r\nset-cookie: a=1', 'b=%0d%0a'], ['/a&redirect_uri=//evil', 'c=1#d'], ['/caf\u00e9 \u4e2d', ''], ['//evil.example/\\x', 'u=https://evil.example']]) {
        const location = redirectedTo(await run({ uri, querystring }))!;
        expect(location).toMatch(/^https:\/\/login\.example\/oauth2\/authorize\?client_id=abc&redirect_uri=[A-Za-z0-9\-_.!~*'()%]+$/);
        expect(decodeURIComponent(location.slice(LOGIN.length + 14))).toBe(querystring ? `${uri}?${querystring}` : uri);
      }
    });

    it('leaves redirect_uri out for a URL over 2048 characters or one holding a lone surrogate', async () => {
      expect(redirectedTo(await run({ uri: '/' + 'x'.repeat(5000) }))).toBe(LOGIN);
      expect(redirectedTo(await run({ uri: '/a', querystring: 'q=' + 'v'.repeat(3000) }))).toBe(LOGIN);
      expect(redirectedTo(await run({ uri: '/\ud800x' }))).toBe(LOGIN);
    });

    it('redirects when a hook throws (onError), without redirect_uri', () => {
      expect(mw.onError).toEqual({ status: 302, headers: { location: LOGIN } });
    });
  });
}

describe('jwtVerify new options refused at build', () => {
  const base = { algorithms: ['HS256'], secret: SECRET };
  const bad: [string, unknown][] = [
    ['token', { ...base, token: 'cookie' }],
    ['token', { ...base, token: { header: 'x' } }],
    ['token', { ...base, token: { cookie: 'a', query: 'b' } }],
    ['token', { ...base, token: {} }],
    ['token.cookie', { ...base, token: { cookie: '' } }],
    ['token.cookie', { ...base, token: { cookie: 'a b' } }],
    ['token.cookie', { ...base, token: { cookie: 'a=b' } }],
    ['token.cookie', { ...base, token: { cookie: 'a;b' } }],
    ['token.cookie', { ...base, token: { cookie: '__proto__' } }],
    ['token.cookie', { ...base, token: { cookie: 7 } }],
    ['token.query', { ...base, token: { query: 'a&b' } }],
    ['token.query', { ...base, token: { query: 'a=b' } }],
    ['token.query', { ...base, token: { query: 'a%20' } }],
    ['token.query', { ...base, token: { query: 'a+b' } }],
    ['token.query', { ...base, token: { query: 'constructor' } }],
    ['strip', { ...base, token: { cookie: 'id' }, strip: true }],
    ['requireExp', { ...base, requireExp: 'no' }],
    ['maxAge', { ...base, maxAge: 0 }],
    ['maxAge', { ...base, maxAge: -1 }],
    ['maxAge', { ...base, maxAge: 1.5 }],
    ['maxAge', { ...base, maxAge: '1h' }],
    ['maxAge', { ...base, maxAge: 315360001 }],
    ['unauthorized', { ...base, unauthorized: '/login' }],
    ['to', { ...base, unauthorized: { to: '/login' } }],
    ['unauthorized.redirect', { ...base, unauthorized: {} }],
    ['unauthorized.redirect', { ...base, unauthorized: { redirect: '' } }],
    ['unauthorized.redirect', { ...base, unauthorized: { redirect: 'login' } }],
    ['unauthorized.redirect', { ...base, unauthorized: { redirect: '//evil.example/login' } }],
    ['unauthorized.redirect', { ...base, unauthorized: { redirect: '/\\evil.example' } }],
    ['unauthorized.redirect', { ...base, unauthorized: { redirect: 'http://login.example/' } }],
    ['unauthorized.redirect', { ...base, unauthorized: { redirect: 'javascript:alert(1)' } }],
    ['unauthorized.redirect', { ...base, unauthorized: { redirect: 'https://user:pw@login.example/' } }],
    ['unauthorized.redirect', { ...base, unauthorized: { redirect: 'https://login.example/\r\nset-cookie: a=1' } }],
    ['unauthorized.redirect', { ...base, unauthorized: { redirect: '/login page' } }],
    ['unauthorized.redirect', { ...base, unauthorized: { redirect: '/login#top' } }],
    ['unauthorized.redirect', { ...base, unauthorized: { redirect: '/login?redirect_uri=/x' } }],
    ['unauthorized.redirect', { ...base, unauthorized: { redirect: '/l\u00f6gin' } }],
  ];
  for (const [option, options] of bad) {
    it(`refuses ${JSON.stringify(options).slice(60, 180)}, naming ${option}`, () => {
      expect(() => jwtVerify(options as never)).toThrow(expect.objectContaining({ code: CODES.config, option }));
      expect(() => jwtVerify(options as never)).toThrow(/^jwtVerify \S+: /);
    });
  }

  it('accepts the documented forms', () => {
    for (const token of ['bearer', { cookie: 'CognitoIdentityServiceProvider.id' }, { query: 'X-Token' }] as const) expect(() => jwtVerify({ ...base, algorithms: ['HS256'], token })).not.toThrow();
    for (const redirect of ['/login', '/auth/login?next=1', '/login?', 'https://auth.example.com/oauth2/authorize?client_id=1&response_type=code', 'https://auth.example.com:8443/']) {
      const mw = jwtVerify({ ...base, algorithms: ['HS256'], unauthorized: { redirect } });
      expect((mw.config as { redirectUri: string }).redirectUri).toMatch(/[?&]redirect_uri=$/);
    }
    expect((jwtVerify({ ...base, algorithms: ['HS256'], token: { query: 't' } }).config as { strip: boolean }).strip).toBe(true);
    expect((jwtVerify({ ...base, algorithms: ['HS256'], token: { cookie: 't' } }).config as { strip: boolean }).strip).toBe(false);
    expect(() => jwtVerify({ ...base, algorithms: ['HS256'], token: { cookie: 't' }, strip: false })).not.toThrow();
  });
});
