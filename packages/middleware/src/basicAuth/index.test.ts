import { createHash } from 'node:crypto';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { CODES, checkPipeline, defineMiddleware, edge, type Middleware, type Outcome, type Pipeline } from '@edgeline/core';
import { eventFor, expectSameEverywhere, lambdaEvent, runPipeline, viewerRequest, type EventInit } from '@edgeline/core/testing';
import { buildCf, hasNjs } from '@edgeline/cf-target';
import { buildLambda } from '@edgeline/lambda-target';
import { runPortably } from '../testing/portable.js';
import { basicAuth } from '.';

const basic = (s: string | Buffer) => 'Basic ' + Buffer.from(s).toString('base64');
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const njsInstalled = await hasNjs();

const USERS = { alice: 'correct horse battery staple', 'bob@example.com': 'pa:ss:wörd', 'ünï😀': 'pässwörd%41' };
const auth = basicAuth({ users: USERS });
const staging = basicAuth({ users: { preview: 's3cret-preview' }, realm: 'Staging area' });
const kvsAuth = basicAuth({ users: { kvs: true } });
/** The KeyValueStore of kvsAuth: user name -> sha256 hex of `name:password`. */
const STORE: Record<string, string> = {
  alice: sha256('alice:correct horse battery staple'),
  carol: sha256('carol:pw').toUpperCase(),
  'ünï😀': sha256('ünï😀:pässwörd%41'),
  broken: 'not-a-digest',
};
const CHALLENGE = { 'www-authenticate': ['Basic realm="Restricted"'] };
const MAX = (auth.config as { maxLength: number }).maxLength;

type Shape = 'cff' | 'lambda';
const targetOf = (shape: Shape, runtime: 'cloudfront-js-1.0' | 'cloudfront-js-2.0' = 'cloudfront-js-1.0') => (shape === 'cff' ? runtime : 'lambda');

function forwarded(out: Outcome): Record<string, string[]> {
  if (out.kind !== 'forward') throw new Error(`expected the request to go on, got ${JSON.stringify(out).slice(0, 300)}`);
  return out.request.headers;
}
function denied(out: Outcome, challenge = CHALLENGE): boolean {
  if (out.kind !== 'respond') return false;
  expect(out.response.status).toBe(401);
  expect(out.response.headers).toMatchObject(challenge);
  return true;
}

/** Authorization values a viewer can send for free: each must be a 401, without a throw. */
export function malformedValues(): [what: string, value: string | string[]][] {
  return [
    ['no credentials', 'Basic'],
    ['only a space', 'Basic '],
    ['only padding', 'Basic =='],
    ['bad base64', 'Basic %%%'],
    ['base64 with a space inside', 'Basic YWxp Y2U6eA=='],
    ['a lone base64 character', 'Basic Y'],
    ['too much padding', 'Basic YWxpY2U6eA==='],
    ['padding in the middle', 'Basic YW=xpY2U6eA'],
    ['padding to an odd length', 'Basic YWxpY2U6eA='],
    ['the url-safe alphabet', 'Basic ' + Buffer.from('a?>:x').toString('base64url')],
    ['no colon', basic('alicecorrect horse battery staple')],
    ['an empty user', basic(':correct horse battery staple')],
    ['another scheme', 'Bearer ' + Buffer.from('alice:correct horse battery staple').toString('base64')],
    ['a scheme that only starts like Basic', 'Basically ' + Buffer.from('alice:correct horse battery staple').toString('base64')],
    ['the scheme with no space', 'Basic' + Buffer.from('alice:correct horse battery staple').toString('base64')],
    ['a user name that is not UTF-8', basic(Buffer.from([0xff, 0xfe, 0x3a, 0x78]))],
    ['a truncated UTF-8 sequence', basic(Buffer.from([0x61, 0xc3, 0x3a, 0x78]))],
    ['a password that is not UTF-8', basic(Buffer.concat([Buffer.from('alice:'), Buffer.from([0xc0, 0xaf])]))],
    ['an encoded surrogate', basic(Buffer.from([0x61, 0x3a, 0xed, 0xa0, 0x80]))],
    ['a NUL in the user name', basic('alice\0:correct horse battery staple')],
    ['the right credentials twice', [basic('alice:correct horse battery staple'), basic('alice:correct horse battery staple')]],
    ['a wrong and a right value', [basic('alice:wrong'), basic('alice:correct horse battery staple')]],
    ['a 20 KB value', 'Basic ' + 'QUFB'.repeat(5000)],
    ['a 20 KB value of non-ASCII text', 'Basic ' + 'ü'.repeat(10000)],
    ['right credentials with spaces after them, over the bound', basic('alice:correct horse battery staple') + ' '.repeat(MAX)],
    ['the right credentials with a wrong case in the password', basic('alice:Correct horse battery staple')],
    ['the password of another user', basic('alice:pa:ss:wörd')],
    ['a prefix of the password', basic('alice:correct horse battery')],
  ];
}

for (const shape of ['cff', 'lambda'] as const) {
  const run = (init: EventInit, mw: Middleware = auth) => runPipeline(mw, eventFor(shape, 'viewer-request', init), { target: targetOf(shape) });

  describe(`basicAuth (${shape})`, () => {
    it('lets each configured user in and strips Authorization before the origin', async () => {
      for (const [name, password] of Object.entries(USERS)) {
        const h = forwarded(await run({ uri: '/docs/', headers: { Authorization: basic(`${name}:${password}`), Accept: 'text/html' } }));
        expect(h.authorization).toBeUndefined();
        expect(h.accept).toEqual(['text/html']);
      }
    });

    it('answers 401 with the default realm to a request without credentials', async () => {
      const out = await run({ uri: '/' });
      expect(denied(out)).toBe(true);
      if (out.kind === 'respond') expect(out.response.statusDescription).toBe('Unauthorized');
    });

    it('answers 401 to a wrong password and to an unknown user', async () => {
      expect(denied(await run({ headers: { authorization: basic('alice:wrong') } }))).toBe(true);
      expect(denied(await run({ headers: { authorization: basic('mallory:correct horse battery staple') } }))).toBe(true);
    });

    it('names the configured realm in the challenge', async () => {
      expect(denied(await run({}, staging), { 'www-authenticate': ['Basic realm="Staging area"'] })).toBe(true);
      expect(forwarded(await run({ headers: { authorization: basic('preview:s3cret-preview') } }, staging)).authorization).toBeUndefined();
    });

    it('reads the scheme case-insensitively, several spaces after it and unpadded base64', async () => {
      const b64 = Buffer.from('alice:correct horse battery staple').toString('base64');
      for (const value of ['basic ' + b64, 'BASIC ' + b64, 'Basic   ' + b64, 'Basic ' + b64 + '  ']) {
        expect(forwarded(await run({ headers: { authorization: value } })).authorization, value).toBeUndefined();
      }
      const unpadded = Buffer.from('preview:s3cret-preview').toString('base64').replace(/=+$/, '');
      expect(unpadded.length % 4).not.toBe(0);
      expect(forwarded(await run({ headers: { authorization: 'Basic ' + unpadded } }, staging)).authorization).toBeUndefined();
    });

    it('accepts base64 that is not canonical (unpadded, bits set after the last byte) as its bytes', async () => {
      const b64 = Buffer.from('alice:correct horse battery staple').toString('base64');
      expect(b64.endsWith('==')).toBe(true);
      const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
      // The last character before '==' carries 2 bits of the last byte and 4 unused ones.
      const loose = b64.slice(0, -3) + A[A.indexOf(b64[b64.length - 3]) | 5] + '==';
      expect(Buffer.from(loose, 'base64').toString()).toBe('alice:correct horse battery staple');
      for (const value of [loose, b64.slice(0, -2), loose.slice(0, -2)]) {
        expect(forwarded(await run({ headers: { authorization: 'Basic ' + value } })).authorization, value).toBeUndefined();
      }
      const one = Buffer.from('ab:cdefg').toString('base64');
      expect(one.endsWith('=') && !one.endsWith('==')).toBe(true);
      const looseOne = one.slice(0, -2) + A[A.indexOf(one[one.length - 2]) | 1] + '=';
      expect(looseOne).not.toBe(one);
      const ab = basicAuth({ users: { ab: 'cdefg' } });
      expect(forwarded(await run({ headers: { authorization: 'Basic ' + looseOne } }, ab)).authorization).toBeUndefined();
      expect(forwarded(await run({ headers: { authorization: 'Basic ' + one } }, ab)).authorization).toBeUndefined();
      expect(denied(await run({ headers: { authorization: 'Basic ' + basic('alice:wrong').slice(6).replace(/=+$/, '') } }))).toBe(true);
    });

    it('accepts the longest credentials that fit the bound, and compares long ones right', async () => {
      const bytes = ((MAX - 6) / 4) * 3;
      const name = 'ü'.repeat(200);
      const password = 'p'.repeat(bytes - Buffer.byteLength(name) - 1);
      const mw = basicAuth({ users: { [name]: password } });
      const value = basic(`${name}:${password}`);
      expect(value.length).toBe(MAX);
      expect(forwarded(await run({ headers: { authorization: value } }, mw)).authorization).toBeUndefined();
      expect(denied(await run({ headers: { authorization: basic(`${name}:${password.slice(1)}x`) } }, mw))).toBe(true);
    });
  });

  describe(`security: basicAuth (${shape})`, () => {
    for (const [what, value] of malformedValues()) {
      it(`answers 401 to ${what}, without throwing`, async () => {
        expect(denied(await run({ headers: { authorization: value } }))).toBe(true);
      });
    }

    it('refuses an oversized value before decoding it (bounded cost)', async () => {
      const t0 = performance.now();
      for (let i = 0; i < 20; i++) expect(denied(await run({ headers: { authorization: 'Basic ' + 'ü'.repeat(10000 + i) } }))).toBe(true);
      expect(performance.now() - t0).toBeLessThan(2000);
    });
  });
}

describe('basicAuth with { kvs: true } (cloudfront-js-2.0)', () => {
  const run = (authorization: string | string[] | undefined, store = STORE) =>
    runPipeline(kvsAuth, viewerRequest({ headers: authorization === undefined ? {} : { authorization } }), { target: 'cloudfront-js-2.0', kvs: store });

  it('looks the user up in the KeyValueStore and compares the digest', async () => {
    expect(forwarded(await run(basic('alice:correct horse battery staple'))).authorization).toBeUndefined();
    expect(forwarded(await run(basic('ünï😀:pässwörd%41'))).authorization).toBeUndefined();
    // A digest stored in upper case is read as hex all the same.
    expect(forwarded(await run(basic('carol:pw'))).authorization).toBeUndefined();
  });

  it('accepts base64 that is not canonical (unpadded, bits set after the last byte)', async () => {
    const b64 = Buffer.from('alice:correct horse battery staple').toString('base64');
    const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const loose = b64.slice(0, -3) + A[A.indexOf(b64[b64.length - 3]) | 5] + '==';
    for (const value of [loose, b64.slice(0, -2), loose.slice(0, -2)]) expect(forwarded(await run('Basic ' + value)).authorization, value).toBeUndefined();
  });

  it('answers 401 to a wrong password, a user not in the store, a malformed stored value, no credentials', async () => {
    expect(denied(await run(basic('alice:wrong')))).toBe(true);
    expect(denied(await run(basic('mallory:pw')))).toBe(true);
    expect(denied(await run(basic('broken:x')))).toBe(true);
    expect(denied(await run(undefined))).toBe(true);
    expect(denied(await run(basic('alice:correct horse battery staple'), {}))).toBe(true);
    // Keys an object answers without an entry: the store is looked up by key, never a prototype.
    for (const user of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) expect(denied(await run(basic(`${user}:x`)))).toBe(true);
    // A name longer than a KeyValueStore key can be is no user.
    expect(denied(await run(basic(`${'a'.repeat(513)}:x`), { ['a'.repeat(513)]: sha256(`${'a'.repeat(513)}:x`) }))).toBe(true);
  });

  for (const [what, value] of malformedValues()) {
    it(`answers 401 to ${what}`, async () => {
      expect(denied(await run(value))).toBe(true);
    });
  }
});

describe('basicAuth targets', () => {
  it('needs crypto:hash, which every target offers; { kvs: true } needs cloudfront-js-2.0', () => {
    expect(auth.needs).toEqual(['crypto:hash']);
    expectTypeOf(auth).toEqualTypeOf<Middleware<'crypto:hash'>>();
    for (const target of ['cloudfront-js-1.0', 'cloudfront-js-2.0', 'lambda'] as const) expect(checkPipeline(edge().use(auth), target)).toEqual([]);
    expect(kvsAuth.needs).toEqual(['crypto:hash', 'kvs', 'async']);
    expectTypeOf(kvsAuth).toEqualTypeOf<Middleware<'crypto:hash' | 'kvs' | 'async'>>();
    expect(checkPipeline(edge().use(kvsAuth), 'cloudfront-js-2.0')).toEqual([]);
    expect(checkPipeline(edge().use(kvsAuth), 'cloudfront-js-1.0').map((v) => v.capability)).toContain('kvs');
    expect(checkPipeline(edge().use(kvsAuth), 'lambda').map((v) => v.capability)).toContain('kvs');
  });

  it('puts no password, user name or credential text in any artifact, only the digests', async () => {
    const secrets = Object.entries(USERS).flatMap(([name, password]) => [
      password, name, `${name}:${password}`, Buffer.from(`${name}:${password}`).toString('base64'), JSON.stringify(password).slice(1, -1), JSON.stringify(name).slice(1, -1),
    ]);
    const pipeline = edge().use(auth) as Pipeline<never>;
    const codes: string[] = [];
    for (const runtime of ['cloudfront-js-1.0', 'cloudfront-js-2.0'] as const) {
      for (const minify of [true, false]) {
        const built = await buildCf({ pipeline, runtime, minify });
        if (!built.ok) throw new Error(JSON.stringify(built.violations));
        codes.push(...built.artifacts.map((a) => a.code));
      }
    }
    const lambda = await buildLambda({ pipeline });
    if (!lambda.ok) throw new Error(JSON.stringify(lambda.violations));
    codes.push(...lambda.artifacts.map((a) => a.code));
    expect(codes).toHaveLength(5);
    for (const [k, code] of codes.entries()) {
      for (const secret of secrets) expect(code.includes(secret), secret).toBe(false);
      // The CloudFront copy (basicAuthCff) compares the digests of the credentials' bytes; the
      // Lambda@Edge handler, lowered from the hook, those of their base64 form.
      const digest = (credentials: string) => (k < 4 ? sha256(credentials) : sha256(Buffer.from(credentials).toString('base64')));
      for (const [name, password] of Object.entries(USERS)) expect(code).toContain(digest(`${name}:${password}`));
    }
  });

  it('is its hand-written copy for CloudFront Functions, and lowered from its hook without it: no context is built per request', async () => {
    // The hook alone, as derivation lowers it (the copy is held to it in targets.test.ts).
    const derived = defineMiddleware({ name: 'basicAuth', needs: ['crypto:hash'], config: auth.config, request: auth.request! });
    for (const runtime of ['cloudfront-js-1.0', 'cloudfront-js-2.0'] as const) {
      const built = await buildCf({ pipeline: edge().use(derived) as Pipeline<never>, runtime, minify: false });
      if (!built.ok) throw new Error(JSON.stringify(built.violations));
      expect(built.artifacts[0].code).not.toContain('RequestContext');
      expect(built.artifacts[0].code).toContain('delete __r.headers["authorization"]');
      const copy = await buildCf({ pipeline: edge().use(auth) as Pipeline<never>, runtime, minify: false });
      if (!copy.ok) throw new Error(JSON.stringify(copy.violations));
      expect(copy.artifacts[0].code).not.toContain('RequestContext');
      expect(copy.artifacts[0].code).toContain('delete request.headers.authorization');
      expect(copy.artifacts[0].code).toContain(runtime === 'cloudfront-js-1.0' ? 'String.bytesFrom(b64, "base64").fromUTF8()' : 'Buffer.from(b64, "base64")');
    }
  });

  // The KeyValueStore variant uses runtime 2.0's Buffer, which this 1.0-like check has not: the
  // same-everywhere test below runs it through the cloudfront-js-2.0 artifact in njs instead.
  it('lowers to ES5 and gives the same results in njs as in Node', async () => {
    const values = [
      basic('alice:correct horse battery staple'), basic('ünï😀:pässwörd%41'), basic('bob@example.com:pa:ss:wörd'), basic('carol:pw'), basic('alice:wrong'),
      basic(`${'ü'.repeat(300)}:${'p'.repeat(900)}`), ...malformedValues().map(([, v]) => v).filter((v): v is string => typeof v === 'string'),
    ];
    const cases = values.map((authorization) => ({ headers: { authorization, accept: 'text/html' }, kvs: STORE }));
    for (const mw of [auth]) {
      const { njs, node } = await runPortably(mw, 'request', cases);
      expect(njs).toEqual(node);
      const allowed = njs.map((r) => r.result === null);
      expect(allowed.slice(0, 5)).toEqual([true, true, true, false, false]);
      expect(allowed.slice(5).every((a) => !a)).toBe(true);
      for (const r of njs) if (r.result === null) expect(r.headers.authorization).toBeUndefined();
    }
  });

  it.skipIf(!njsInstalled)('gives the same outcome from source, vm emulator, njs (1.0 and 2.0) and Lambda@Edge on seeded random credentials', async () => {
    const inits = randomAuthorizations(1717, 160).map((authorization) => ({ uri: '/p', headers: { authorization, 'user-agent': 'test' } }));
    const events = [...inits.map((i) => viewerRequest(i)), ...inits.slice(0, 60).map((i) => lambdaEvent('viewer-request', i)), viewerRequest({ uri: '/' })];
    // The mix lets some in and keeps most out.
    const outs = await Promise.all(inits.map((i) => runPipeline(auth, viewerRequest(i), { target: 'cloudfront-js-1.0' })));
    const allowed = outs.filter((o) => o.kind === 'forward').length;
    expect(allowed).toBeGreaterThan(15);
    expect(allowed).toBeLessThan(inits.length / 2);
    await expectSameEverywhere(auth, events, { runtimes: ['cloudfront-js-1.0', 'cloudfront-js-2.0'] });
    await expectSameEverywhere(kvsAuth, events.filter((e) => !('Records' in e)), { runtimes: ['cloudfront-js-2.0'], kvs: STORE });
  }, 60000);
});

/** Seeded Authorization values: right, wrong, garbage, random bytes (often not UTF-8), several values, huge. */
function randomAuthorizations(seed: number, count: number): (string | string[])[] {
  let s = seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
  const text = (n: number) => Array.from({ length: n }, () => pick(['a', 'Z', '0', ':', ' ', '%', 'ü', '😀', '+', '/', '=', '\u00ff'])).join('');
  const right = [...Object.entries(USERS), ['carol', 'pw']].map(([n, p]) => `${n}:${p}`);
  const out: (string | string[])[] = [];
  for (let i = 0; i < count; i++) {
    const kind = Math.floor(rand() * 9);
    if (kind === 0) out.push(basic(pick(right)));
    else if (kind === 1) out.push(pick(['basic ', 'BASIC  ', 'Basic ']) + Buffer.from(pick(right)).toString('base64').replace(/=+$/, pick(['', '=', '==', '$&'])));
    else if (kind === 2) out.push(basic(pick(right).slice(0, -1) + text(1)));
    else if (kind === 3) out.push(basic(bytes(1 + Math.floor(rand() * 40))));
    else if (kind === 4) out.push('Basic ' + text(Math.floor(rand() * 30)));
    else if (kind === 5) out.push(basic(text(1 + Math.floor(rand() * 30))));
    else if (kind === 6) out.push([basic(pick(right)), basic(pick(right))]);
    else if (kind === 7) out.push(basic(`${text(Math.floor(rand() * 5))}:${text(Math.floor(rand() * 400))}`));
    else out.push(pick(['Basic ', 'Bearer ', 'basic', '']) + Buffer.from(bytes(Math.floor(rand() * 2000))).toString('base64'));
  }
  return out;
}

describe('basicAuth options', () => {
  const bad: [string, unknown][] = [
    ['users', {}],
    ['users', { realm: 'x' }],
    ['users', { users: {} }],
    ['users', { users: 'alice:pw' }],
    ['users', { users: ['alice'] }],
    ['users', { users: null }],
    ['users', { users: { kvs: true, alice: 'pw' } }],
    ['users.__proto__', { users: JSON.parse('{ "__proto__": "pw" }') }],
    ['users', { users: { 'al:ice': 'pw' } }],
    ['users', { users: { 'al\nice': 'pw' } }],
    ['users', { users: { '\ud800': 'pw' } }],
    ['users', { users: { ['u'.repeat(513)]: 'pw' } }],
    ['users.alice', { users: { alice: '' } }],
    ['users.alice', { users: { alice: 42 } }],
    ['users.alice', { users: { alice: 'p\rw' } }],
    ['users.alice', { users: { alice: 'p\u007fw' } }],
    ['users.alice', { users: { alice: 'p\udc00w' } }],
    ['users.alice', { users: { alice: 'p'.repeat(1600) } }],
    ['realm', { users: { a: 'b' }, realm: '' }],
    ['realm', { users: { a: 'b' }, realm: 'say "hi"' }],
    ['realm', { users: { a: 'b' }, realm: 'back\\slash' }],
    ['realm', { users: { a: 'b' }, realm: 'line\r\nSet-Cookie: x=1' }],
    ['realm', { users: { a: 'b' }, realm: 'tab\there' }],
    ['realm', { users: { a: 'b' }, realm: 'Stäging' }],
    ['realm', { users: { a: 'b' }, realm: 'r'.repeat(257) }],
    ['realm', { users: { a: 'b' }, realm: 42 }],
    ['realms', { users: { a: 'b' }, realms: 'x' }],
  ];
  for (const [option, options] of bad) {
    it(`refuses ${JSON.stringify(options).slice(0, 80)}, naming ${option}`, () => {
      expect(() => basicAuth(options as never)).toThrow(expect.objectContaining({ code: CODES.config, option }));
      expect(() => basicAuth(options as never)).toThrow(new RegExp(`^basicAuth ${option.replace(/[.]/g, '\\.')}: `));
    });
  }

  it('accepts a user named kvs with a string password, as a user', async () => {
    const mw = basicAuth({ users: { kvs: 'pw' } });
    expect(mw.needs).toEqual(['crypto:hash']);
    expect(forwarded(await runPipeline(mw, viewerRequest({ headers: { authorization: basic('kvs:pw') } }), { target: 'cloudfront-js-1.0' })).authorization).toBeUndefined();
  });

  it('keeps only the digests of the base64 credentials in its config', () => {
    const config = auth.config as Record<string, unknown>;
    expect(Object.keys(config).sort()).toEqual(['challenge', 'hashes', 'maxLength']);
    expect(config.hashes).toBe(Object.entries(USERS).map(([n, p]) => sha256(Buffer.from(`${n}:${p}`).toString('base64'))).join(''));
    expect(config.challenge).toBe('Basic realm="Restricted"');
  });
});
