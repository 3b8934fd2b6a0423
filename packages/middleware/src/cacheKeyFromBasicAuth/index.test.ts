import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CODES, checkPipeline, edge, type Outcome } from '@edgeline/core';
import { eventFor, runPipeline, type EventInit } from '@edgeline/core/testing';
import { runPortably } from '../testing/portable.js';
import { cacheKeyFromBasicAuth } from '.';

const basic = (s: string) => 'Basic ' + Buffer.from(s).toString('base64');
const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const auth = cacheKeyFromBasicAuth();
const byUser = cacheKeyFromBasicAuth({ keyFrom: 'user' });

function headers(out: Outcome): Record<string, string[]> {
  if (out.kind !== 'forward') throw new Error(`expected the request to go on, got ${out.kind}`);
  return out.request.headers;
}

for (const shape of ['cff', 'lambda'] as const) {
  const run = (init: EventInit, mw = auth) => runPipeline(mw, eventFor(shape, 'viewer-request', init));

  describe(`cacheKeyFromBasicAuth (${shape})`, () => {
    it('sets the header to the md5 of the whole credentials', async () => {
      const h = headers(await run({ headers: { Authorization: basic('alice:secret') } }));
      expect(h['username-cache-key']).toEqual([md5('alice:secret')]);
      // The request is otherwise untouched: the origin still checks the password.
      expect(h.authorization).toEqual([basic('alice:secret')]);
    });

    it("with keyFrom: 'user', sets it to the md5 of the user name", async () => {
      const h = headers(await run({ headers: { Authorization: basic('alice:secret') } }, byUser));
      expect(h['username-cache-key']).toEqual([md5('alice')]);
    });

    it('reads the scheme case-insensitively and the password may hold colons', async () => {
      expect(headers(await run({ headers: { authorization: 'basic ' + Buffer.from('bob:a:b').toString('base64') } }))['username-cache-key']).toEqual([md5('bob:a:b')]);
      expect(headers(await run({ headers: { authorization: 'BASIC ' + Buffer.from('bob:').toString('base64') } }))['username-cache-key']).toEqual([md5('bob:')]);
      expect(headers(await run({ headers: { authorization: 'basic ' + Buffer.from('bob:a:b').toString('base64') } }, byUser))['username-cache-key']).toEqual([md5('bob')]);
    });

    it('hashes UTF-8 credentials as UTF-8', async () => {
      expect(headers(await run({ headers: { authorization: basic('ünï:pw') } }))['username-cache-key']).toEqual([md5('ünï:pw')]);
      expect(headers(await run({ headers: { authorization: basic('😀:pässwörd%') } }))['username-cache-key']).toEqual([md5('😀:pässwörd%')]);
      expect(headers(await run({ headers: { authorization: basic('ünï:pw') } }, byUser))['username-cache-key']).toEqual([md5('ünï')]);
      expect(headers(await run({ headers: { authorization: basic('😀:pw') } }, byUser))['username-cache-key']).toEqual([md5('😀')]);
    });

    it('decodes long credentials (njs apply takes at most 1024 arguments)', async () => {
      const user = 'ü'.repeat(1500);
      const cred = `${user}:${'p'.repeat(5000)}`;
      expect(headers(await run({ headers: { authorization: basic(cred) } }))['username-cache-key']).toEqual([md5(cred)]);
      expect(headers(await run({ headers: { authorization: basic(cred) } }, byUser))['username-cache-key']).toEqual([md5(user)]);
    });

    it('accepts unpadded base64 and several spaces after the scheme', async () => {
      const unpadded = Buffer.from('al:x').toString('base64').replace(/=+$/, '');
      expect(headers(await run({ headers: { authorization: 'Basic ' + unpadded } }))['username-cache-key']).toEqual([md5('al:x')]);
      expect(headers(await run({ headers: { authorization: 'Basic   ' + Buffer.from('al:x').toString('base64') } }))['username-cache-key']).toEqual([md5('al:x')]);
    });

    it('uses the configured header and hash', async () => {
      for (const hash of ['sha1', 'sha256'] as const) {
        const mw = cacheKeyFromBasicAuth({ header: 'X-User-Key', hash });
        const h = headers(await run({ headers: { authorization: basic('carol:pw') } }, mw));
        expect(h['x-user-key']).toEqual([createHash(hash).update('carol:pw').digest('hex')]);
        expect(h['username-cache-key']).toBeUndefined();
      }
    });
  });

  describe(`security: cacheKeyFromBasicAuth (${shape})`, () => {
    it('always removes a client-chosen cache key', async () => {
      expect(headers(await run({ headers: { 'username-cache-key': 'forged' } }))['username-cache-key']).toBeUndefined();
      expect(headers(await run({ headers: { 'Username-Cache-Key': ['a', 'b'] } }))['username-cache-key']).toBeUndefined();
      expect(headers(await run({ headers: { 'username-cache-key': 'forged', authorization: basic('carol:pw') } }))['username-cache-key']).toEqual([md5('carol:pw')]);
    });

    it('gives a wrong password a key of its own: it never shares the cache entries of the right one', async () => {
      const right = headers(await run({ headers: { authorization: basic('alice:pw') } }))['username-cache-key'];
      const wrong = headers(await run({ headers: { authorization: basic('alice:WRONG') } }))['username-cache-key'];
      expect(right).toHaveLength(1);
      expect(wrong).toHaveLength(1);
      expect(wrong).not.toEqual(right);
      expect(headers(await run({ headers: { 'username-cache-key': 'forged', authorization: 'Basic %%%' } }))['username-cache-key']).toBeUndefined();
    });

    const malformed: [string, string][] = [
      ['bad base64', 'Basic %%%'],
      ['base64 with a space inside', 'Basic YWxp Y2U6eA=='],
      ['a lone base64 character', 'Basic Y'],
      ['too much padding', 'Basic YWxpY2U6eA==='],
      ['padding in the middle', 'Basic YW=xpY2U6eA'],
      ['padding to an odd length', 'Basic YWxpY2U6eA='],
      ['url-safe alphabet', 'Basic ' + Buffer.from('a?>:x').toString('base64url')],
      ['no colon', basic('nocolon')],
      ['an empty user', basic(':pw')],
      ['no credentials', 'Basic'],
      ['only a space', 'Basic '],
      ['only padding', 'Basic =='],
      ['another scheme', 'Bearer abc'],
      ['a scheme that only starts like Basic', 'Basically ' + Buffer.from('al:x').toString('base64')],
      ['the scheme with no space', 'Basic' + Buffer.from('al:x').toString('base64')],
      ['a user name that is not UTF-8', 'Basic ' + Buffer.from([0xff, 0xfe, 0x3a, 0x78]).toString('base64')],
      ['a truncated UTF-8 sequence', 'Basic ' + Buffer.from([0x61, 0xc3, 0x3a, 0x78]).toString('base64')],
    ];
    for (const [what, value] of malformed) {
      it(`forwards ${what} without a key and without throwing`, async () => {
        for (const mw of [auth, byUser]) {
          const h = headers(await run({ headers: { authorization: value } }, mw));
          expect(h['username-cache-key']).toBeUndefined();
          expect(h.authorization).toEqual([value]);
        }
      });
    }

    it('gives no key for a password that is not UTF-8 (the user name alone is hashed with keyFrom: user)', async () => {
      const value = 'Basic ' + Buffer.from([0x61, 0x3a, 0xff, 0x78]).toString('base64');
      expect(headers(await run({ headers: { authorization: value } }))['username-cache-key']).toBeUndefined();
      expect(headers(await run({ headers: { authorization: value } }, byUser))['username-cache-key']).toEqual([md5('a')]);
    });

    it('forwards a request without Authorization unchanged', async () => {
      const event = eventFor(shape, 'viewer-request', { uri: '/a', headers: { accept: 'text/html' } });
      const before = structuredClone(event);
      expect((await runPipeline(auth, event)).raw).toEqual('Records' in before ? before.Records[0].cf.request : before.request);
    });
  });
}

describe('cacheKeyFromBasicAuth targets', () => {
  it('needs crypto:hash, which every target offers', () => {
    expect(auth.needs).toEqual(['crypto:hash']);
    for (const target of ['cloudfront-js-1.0', 'cloudfront-js-2.0', 'lambda'] as const) expect(checkPipeline(edge().use(auth), target)).toEqual([]);
  });

  it('lowers to ES5 and gives the same digests in njs as in Node', async () => {
    const long = 'ü'.repeat(1500);
    const longPw = 'p'.repeat(3000);
    const values = [
      basic('alice:pw'), 'basic ' + Buffer.from('bob:x').toString('base64'), basic('ünï:pw'), basic('😀:x%41'), basic('nocolon'), 'Basic %%%', 'Basic', 'Bearer x',
      basic(':pw'), basic(`${long}:${longPw}`), 'Basic ' + Buffer.from([0x61, 0x3a, 0xff]).toString('base64'),
    ];
    const cases = values.map((authorization) => ({ headers: { authorization, 'username-cache-key': 'forged' } }));
    for (const hash of ['md5', 'sha1', 'sha256'] as const) {
      const digest = (s: string) => createHash(hash).update(s).digest('hex');
      const whole = await runPortably(cacheKeyFromBasicAuth({ hash }), 'request', cases);
      expect(whole.njs).toEqual(whole.node);
      expect(whole.njs.map((r) => r.headers['username-cache-key'] ?? null)).toEqual([
        digest('alice:pw'), digest('bob:x'), digest('ünï:pw'), digest('😀:x%41'), null, null, null, null, null, digest(`${long}:${longPw}`), null,
      ]);
      const user = await runPortably(cacheKeyFromBasicAuth({ hash, keyFrom: 'user' }), 'request', cases);
      expect(user.njs).toEqual(user.node);
      expect(user.njs.map((r) => r.headers['username-cache-key'] ?? null)).toEqual([
        digest('alice'), digest('bob'), digest('ünï'), digest('😀'), null, null, null, null, null, digest(long), digest('a'),
      ]);
    }
  });

  it("warns about keyFrom: 'user' (edge build prints it), and only then", () => {
    expect(byUser.warnings).toHaveLength(1);
    expect(byUser.warnings![0]).toMatch(/user name alone.*any password/);
    expect(auth.warnings).toEqual([]);
  });
});

describe('cacheKeyFromBasicAuth options', () => {
  const bad: [string, unknown][] = [
    ['hash', { hash: 'sha512' }],
    ['hash', { hash: 'MD5' }],
    ['header', { header: 'bad header' }],
    ['header', { header: 'host' }],
    ['header', { header: 'x-amz-cf-id' }],
    ['header', { header: 'authorization' }],
    ['header', { header: 42 }],
    ['header', { header: 'cookie' }],
    ['header', { header: 'Cookie' }],
    ['header', { header: 'constructor' }],
    ['header', { header: '__proto__' }],
    ['header', { header: 'x-edge-origin' }],
    ['header', { header: 'content-length' }],
    ['keyFrom', { keyFrom: 'password' }],
    ['hsah', { hsah: 'md5' }],
  ];
  for (const [option, options] of bad) {
    it(`refuses ${JSON.stringify(options)}, naming ${option}`, () => {
      expect(() => cacheKeyFromBasicAuth(options as never)).toThrow(expect.objectContaining({ code: CODES.config, option }));
      expect(() => cacheKeyFromBasicAuth(options as never)).toThrow(new RegExp(`^cacheKeyFromBasicAuth ${option}: `));
    });
  }
});
