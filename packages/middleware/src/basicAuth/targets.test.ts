import { describe, expect, it } from 'vitest';
import { edge, type Pipeline } from '@edgeline/core';
import { eventFor, expectSameEverywhere, runPipeline, type EventInit } from '@edgeline/core/testing';
import type { CffEvent, LeEvent } from '@edgeline/core/runtime';
import { buildCf, hasNjs } from '@edgeline/cf-target';
import { basicAuth, type BasicAuthOptions, type BasicAuthUsers } from '.';

// basicAuth keeps a hand-written CloudFront copy (basicAuthCff): the runtime's own base64 decoder
// (String.bytesFrom on 1.0, Buffer on 2.0) and the digest of the bytes, where the hook (which must
// run on 1.0 too, without Buffer) makes the base64 text canonical and hashes it. These seeded
// random Authorization values prove the copy equal to the hook (runPipeline), option combinations
// included, on cloudfront-js-1.0 and 2.0, in the vm emulator and njs, built with the copy (direct:
// true) and without it (direct: false, the context-based handler).

const njsInstalled = await hasNjs();
const engines = njsInstalled ? (['emulator', 'njs'] as const) : (['emulator'] as const);
const RUNTIMES = ['cloudfront-js-1.0', 'cloudfront-js-2.0'] as const;
const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

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

const b64 = (s: string | Buffer) => (typeof s === 'string' ? Buffer.from(s) : s).toString('base64');

/** The same bytes with the unused bits of the last character set: decodes alike, never canonical. */
function loose(text: string): string {
  const padding = text.length - text.replace(/=+$/, '').length;
  if (!padding) return text;
  const at = text.length - padding - 1;
  return text.slice(0, at) + A.charAt(A.indexOf(text.charAt(at)) | (padding === 2 ? 15 : 3)) + text.slice(at + 1);
}

/** Authorization values of every kind the acceptance rule tells apart, for the given users. */
function randomValues(seed: number, n: number, users: BasicAuthUsers): (string | string[] | undefined)[] {
  const rnd = mulberry32(seed);
  const pick = <T>(l: readonly T[]): T => l[Math.floor(rnd() * l.length)];
  const right = Object.entries(users).map(([name, password]) => `${name}:${password}`);
  const names = Object.keys(users);
  const text = (k: number) => Array.from({ length: k }, () => pick(['a', 'Z', '0', ':', ' ', '%', 'ü', '😀', '+', '/', '=', '\u00ff', '\ufffd'])).join('');
  const bytes = (k: number) => Buffer.from(Array.from({ length: k }, () => Math.floor(rnd() * 256)));
  const credentials = (): string => {
    const r = rnd();
    if (r < 0.5) return pick(right);
    if (r < 0.6) return `${pick(names)}:${text(1 + Math.floor(rnd() * 12))}`;
    if (r < 0.7) return pick(right).slice(0, -1);
    if (r < 0.78) return pick(right) + pick(['x', ' ', 'ü']);
    if (r < 0.86) return pick(right).toUpperCase();
    return `${text(Math.floor(rnd() * 6))}:${text(Math.floor(rnd() * 30))}`;
  };
  const scheme = () => (rnd() < 0.75 ? 'Basic ' : pick(['basic ', 'BASIC ', 'bAsIc ', 'Basic  ', 'Basic\t', ' Basic ', 'Basic', 'Bearer ', 'Basically ', 'Digest ', 'Basi ']));
  const value = (): string => {
    const r = rnd();
    const good = b64(credentials());
    if (r < 0.35) return scheme() + good;
    // Unpadded, and with the last character's unused bits set (padded or not).
    if (r < 0.45) return scheme() + good.replace(/=+$/, '');
    if (r < 0.53) return scheme() + (rnd() < 0.5 ? loose(good) : loose(good).replace(/=+$/, ''));
    // Bad padding: one too many, one too few, in the middle, on a length that needs none.
    if (r < 0.6) return scheme() + pick([good + '=', good.replace(/=$/, ''), good.slice(0, 4) + '=' + good.slice(4), good.replace(/=+$/, '') + '===', good + '==', '=' + good]);
    // 4n+1 characters.
    if (r < 0.64) return scheme() + good.replace(/=+$/, '') + pick(['A', 'Q', 'x', '/']);
    // Outside the standard alphabet: url-safe, percent, a space inside, non-ASCII.
    if (r < 0.7) return scheme() + pick([b64url(good), good.slice(0, 3) + pick(['-', '_', '%', '.', ' ', 'ü', '\t', '*']) + good.slice(3)]);
    // Spaces and tabs around the credentials.
    if (r < 0.77) return scheme() + pick([' ', '\t', '  ', ' \t']) + good + pick(['', ' ', '\t', '  \t']);
    // Bytes that are not UTF-8 (random, or a user's credentials with one byte broken).
    if (r < 0.84) return scheme() + b64(rnd() < 0.5 ? bytes(1 + Math.floor(rnd() * 40)) : broken(pick(right), rnd));
    // Over the bound, and right on it.
    if (r < 0.9) return pick([scheme() + good + ' '.repeat(2100), 'Basic ' + 'QUFB'.repeat(600), 'Basic ' + 'QUFB'.repeat(512), 'Basic ' + b64(bytes(1536)), 'Basic ' + 'ü'.repeat(3000)]);
    return pick(['', 'Basic', 'Basic ', 'Basic =', 'Basic ==', 'Basic Y', 'Basic YQ', 'Basic YQ=', 'Basic YQ==', 'Basic ' + b64(':'), 'Basic ' + b64(names[0]), 'Basic ' + b64(':' + users[names[0]])]);
  };
  return Array.from({ length: n }, () => {
    const r = rnd();
    if (r < 0.06) return undefined;
    // The header sent twice: the right value twice, or a right and a wrong one in either order.
    if (r < 0.14) return [value(), value()];
    return value();
  });
}

const b64url = (text: string) => text.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** The UTF-8 bytes of `text` with one byte replaced by one that breaks the sequence. */
function broken(text: string, rnd: () => number): Buffer {
  const buf = Buffer.from(text);
  buf[Math.floor(rnd() * buf.length)] = [0xff, 0xc0, 0x80, 0xed][Math.floor(rnd() * 4)];
  return buf;
}

const LONG = 'p'.repeat(1536 - 'long:'.length);
const configs: BasicAuthOptions<BasicAuthUsers>[] = [
  { users: { preview: 'correct horse battery staple' } },
  { users: { alice: 'correct horse battery staple', 'bob@example.com': 'pa:ss:wörd', 'ünï😀': 'pässwörd%41', carol: 'carol-pw' }, realm: 'Staging area' },
  // U+FFFD in a password: njs hashes a byte string that is not UTF-8 as if its bad bytes were
  // U+FFFD, so bytes that are not UTF-8 must not reach the digest on 1.0.
  { users: { zoë: '\ufffd', 'r\ufffd': 'a\ufffd\ufffdb' }, realm: 'R' },
  // Credentials as long as the bound allows: `Basic ` and their base64 are 2,054 characters.
  { users: { long: LONG, a: 'b' }, realm: 'Long users' },
];

/** `name:password` with a byte that is not UTF-8 (0xff) where the password has U+FFFD. */
function badBytesFor(name: string, password: string): Buffer {
  const parts = password.split('\ufffd').flatMap((part, i) => (i ? [Buffer.from([0xff]), Buffer.from(part)] : [Buffer.from(part)]));
  return Buffer.concat([Buffer.from(`${name}:`), ...parts]);
}

function inits(seed: number, users: BasicAuthUsers): EventInit[] {
  const special = Object.entries(users).flatMap(([name, password]) => [
    // The bytes njs 1.0 would hash as the password's U+FFFD: refused, as by the hook.
    'Basic ' + b64(badBytesFor(name, password)),
    'Basic ' + b64(Buffer.from(`${name}:${password}`, 'latin1')),
    'Basic ' + b64(`${name}:${password}`),
    'bASIC ' + loose(b64(`${name}:${password}`)),
  ]);
  return [...special, ...randomValues(seed, 150, users)].map((authorization, k) => {
    const headers: Record<string, string | string[]> = { accept: 'text/html' };
    if (authorization !== undefined) headers.authorization = authorization;
    return { uri: k % 2 ? '/' : '/preview/app.js', headers };
  });
}

/**
 * The acceptance rule, written apart from both copies: one value of at most 2,054 characters,
 * `basic` in any case and a space, the rest trimmed; standard base64, `=` only at the end and then
 * to a multiple of 4, never 4n+1 characters; its bytes are some user's `name:password`.
 */
function accepts(event: CffEvent, users: BasicAuthUsers): boolean {
  const header = event.request.headers.authorization;
  if (!header || (header.multiValue && header.multiValue.length > 1)) return false;
  const value = header.value;
  if (value.length > 2054 || value.charAt(5) !== ' ' || value.slice(0, 5).toLowerCase() !== 'basic') return false;
  const text = value.slice(6).trim();
  const unpadded = text.replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || unpadded.length % 4 === 1 || (unpadded !== text && text.length % 4 !== 0)) return false;
  const bytes = Buffer.from(text, 'base64');
  return Object.entries(users).some(([name, password]) => bytes.equals(Buffer.from(`${name}:${password}`)));
}

describe('basicAuth: the hand-written CloudFront copy equals the hook (seeded random Authorization values, cf 1.0 and 2.0)', () => {
  configs.forEach((options, k) => {
    it(`config ${k}: ${Object.keys(options.users).length} user(s)${options.realm ? `, realm ${options.realm}` : ''}`, async () => {
      const mw = basicAuth(options);
      const pipeline = edge().use(mw) as Pipeline<never>;
      const evtInits = inits(7100 + k, options.users);
      const cffEvents = evtInits.map((i) => eventFor('cff', 'viewer-request', i) as CffEvent);
      for (const runtime of RUNTIMES) {
        const copy = await buildCf({ pipeline, runtime });
        const context = await buildCf({ pipeline, runtime, direct: false });
        const code = copy.ok ? copy.artifacts[0].code : '';
        // The copy: the runtime's own decoder, no try/catch, no context; not the context-based handler.
        expect(code).toContain(runtime === 'cloudfront-js-1.0' ? 'bytesFrom' : 'Buffer.from');
        expect(code).not.toMatch(/\bcatch\b|RequestContext|__edge_q/);
        expect(context.ok && context.artifacts[0].code).not.toBe(code);
        for (const direct of [true, false]) {
          await expectSameEverywhere(mw, cffEvents, { runtimes: [runtime], engines, direct });
        }
      }
      // Lambda@Edge is lowered from the hook: a few of the same requests there too.
      await expectSameEverywhere(mw, evtInits.slice(0, 40).map((i) => eventFor('lambda', 'viewer-request', i) as LeEvent));
      // The hook (hence every build) follows the rule, and the mix reaches both outcomes.
      const outs = await Promise.all(cffEvents.map((e) => runPipeline(mw, e, { target: 'cloudfront-js-1.0' })));
      expect(outs.map((o) => o.kind)).toEqual(cffEvents.map((e) => (accepts(e, options.users) ? 'forward' : 'respond')));
      const allowed = outs.filter((o) => o.kind === 'forward').length;
      expect(allowed).toBeGreaterThan(10);
      expect(allowed).toBeLessThan(outs.length * 0.6);
      // Per user: the bytes that are not UTF-8 refused where the password has U+FFFD, the right
      // credentials let in (with a non-canonical last character and the scheme in another case too).
      Object.entries(options.users).forEach(([, password], u) => {
        expect(outs[4 * u].kind).toBe(password.includes('\ufffd') ? 'respond' : 'forward');
        expect(outs.slice(4 * u + 2, 4 * u + 4).map((o) => o.kind)).toEqual(['forward', 'forward']);
      });
    }, 120000);
  });

  it('keeps names and passwords out of the copy, only the digests of the credentials', async () => {
    const mw = basicAuth(configs[1]);
    for (const runtime of RUNTIMES) {
      const built = await buildCf({ pipeline: edge().use(mw) as Pipeline<never>, runtime, minify: false });
      const code = built.ok ? built.artifacts[0].code : '';
      for (const [name, password] of Object.entries(configs[1].users)) {
        for (const secret of [name, password, b64(`${name}:${password}`), JSON.stringify(name).slice(1, -1), JSON.stringify(password).slice(1, -1)]) {
          expect(code.includes(secret), secret).toBe(false);
        }
      }
      expect(code.match(/[0-9a-f]{256}/)?.[0].length).toBe(256);
    }
  });
});
