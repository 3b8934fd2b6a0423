import type { EventType } from '@edgeline/core';
import type { EventInit } from '@edgeline/core/testing';
import type { Case } from './equivalence';

/** A small seeded generator (mulberry32): the same cases on every run, so a failure can be replayed. */
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

const URIS = ['/', '/docs/', '/teapot', '/built', '/moved', '/default', '/a/b.html', '/%7Euser/', '//evil.example', '/ünï'];
const HEADER_NAMES = ['User-Agent', 'accept', 'Accept', 'X-Multi', 'x-multi', 'X-Dyn', 'x-remove', 'Cookie-Like', 'X-Origin'];
const HEADER_VALUES = ['', 'a', 'text/html, */*', 'x=1; y=2', ' spaced ', 'ü'];
const QUERY_KEYS = ['q', 'r', 'drop', 'lang', 'a', 'set'];
const QUERY_VALUES = ['', '1', 'a%20b', 'a+b', '%zz', '%C3%BC', 'x=y'];
const COOKIES = ['uid', 'multi', 'theme'];
const IPS = ['198.51.100.11', '2001:db8::1', '203.0.113.9'];
const STATUSES = [200, 204, 301, 304, 404, 410, 418, 503];

/**
 * Events a differential test runs through an artifact and through the source: odd header
 * casing, repeated and empty values, bad percent escapes, repeated query keys and cookies.
 */
export function randomCases(seed: number, count: number, requestType: EventType, responseType: EventType): Case[] {
  const r = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const some = <T>(xs: readonly T[], max: number): T[] => Array.from({ length: Math.floor(r() * (max + 1)) }, () => pick(xs));
  const out: Case[] = [];
  for (let i = 0; i < count; i++) {
    const headers: Record<string, string[]> = {};
    for (const name of some(HEADER_NAMES, 4)) (headers[name] ||= []).push(pick(HEADER_VALUES));
    const query = some(QUERY_KEYS, 4).map((k) => (r() < 0.2 ? k : `${k}=${pick(QUERY_VALUES)}`)).join('&');
    const cookies: Record<string, string[]> = {};
    for (const name of some(COOKIES, 3)) (cookies[name] ||= []).push(pick(['1', 'u-7', 'a b', '']));
    const init: EventInit = {
      uri: pick(URIS), method: pick(['GET', 'POST', 'HEAD']), headers, querystring: query, cookies, ip: pick(IPS),
      ...(r() < 0.5 ? { country: pick(['DE', 'FR', 'US']) } : {}),
    };
    if (r() < 0.5) out.push({ eventType: requestType, init });
    else out.push({ eventType: responseType, init: { ...init, status: pick(STATUSES), responseHeaders: { 'X-Origin': 'o', 'Set-Cookie': some(['a=1; Secure', 'seen=0', 'b='], 2) } } });
  }
  return out;
}
