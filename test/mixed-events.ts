import { createHmac } from 'node:crypto';
import type { EventType } from '@edgeline/core';
import type { EventInit } from '@edgeline/core/testing';
import type { Case } from './equivalence';
import { randomCases } from './random-events';

/** A small seeded generator (mulberry32), so a failing event can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const JWT_SECRET = 'a-shared-secret-of-at-least-32-bytes!';
const b64 = (s: string) => Buffer.from(s).toString('base64url');
function hs256(payload: object, header: object = { alg: 'HS256', typ: 'JWT' }, secret = JWT_SECRET): string {
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(payload))}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** Authorization values: valid, forged, expired, malformed, for both Basic and Bearer schemes. */
function authorizations(now: number): string[] {
  const good = hs256({ sub: 'u1', exp: now + 3600, iss: 'https://issuer.example' });
  return [
    'Basic ' + Buffer.from('alice:pw').toString('base64'),
    'Basic ' + Buffer.from('alice:WRONG').toString('base64'),
    'Basic ' + Buffer.from('zoë:pässword').toString('base64'),
    'Basic ' + Buffer.from([0xff, 0x3a, 0x61]).toString('base64'),
    'Basic bm9jb2xvbg==', 'Basic ###', 'Basic YQ', 'Basic ', 'basic YWxpY2U6cHc=',
    'Bearer ' + good, 'bearer ' + good,
    'Bearer ' + hs256({ sub: 'u1', exp: now - 10 }),
    'Bearer ' + hs256({ sub: 'u1', exp: now + 3600 }, { alg: 'HS256' }, 'another-secret-of-at-least-32-bytes'),
    'Bearer ' + hs256({ sub: 'u1', exp: now + 3600 }, { alg: 'none' }).split('.').slice(0, 2).join('.') + '.',
    'Bearer ' + good.slice(0, -3), 'Bearer a.b.c', 'Bearer ' + 'x'.repeat(3000), 'Bearer', '',
  ];
}

const URIS = ['/', '/de/', '/fr/page', '/en/x', '/x/y.html', '/%7Euser/', '//evil.example', '/\\evil', '/ünï/ç', '/a%zz', '/' + 'p'.repeat(300)];
const QUERY_VALUES = ['', '1', 'a%20b', 'a+b', '%zz', '%C3%BC', 'x=y', '%', '中', "'Za'", 'a "'];
const HOSTILE_NAMES = ['constructor', '__proto__x', 'toString', 'hasOwnProperty', '.\'中Z', ' ', '='];

// No lone surrogates: no request CloudFront receives (UTF-8 bytes) can hold one; the hostile-event
// test (never hang, never throw) has them.

/**
 * Random events plus the inputs built-ins look at: Authorization values (Basic and Bearer,
 * valid and forged), countries, odd URIs and query strings with odd names and values.
 */
export function mixedCases(seed: number, count: number, requestType: EventType, responseType: EventType, now = Math.floor(Date.now() / 1000)): Case[] {
  const r = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const auths = authorizations(now);
  return randomCases(seed, count, requestType, responseType).map((c) => {
    const init: EventInit = { ...c.init, headers: { ...(c.init.headers as Record<string, string[]>) } };
    const headers = init.headers as Record<string, string[]>;
    if (r() < 0.5) headers.authorization = r() < 0.1 ? [pick(auths), pick(auths)] : [pick(auths)];
    if (r() < 0.4) init.uri = pick(URIS);
    if (r() < 0.6) init.country = pick(['DE', 'FR', 'ES', 'US', 'de', '', 'XX']);
    else delete init.country;
    if (r() < 0.3) {
      const n = 1 + Math.floor(r() * 6);
      init.querystring = Array.from({ length: n }, () => `${encodeURIComponent(pick(HOSTILE_NAMES))}=${pick(QUERY_VALUES)}`).join('&');
    }
    return { eventType: c.eventType, init };
  });
}
