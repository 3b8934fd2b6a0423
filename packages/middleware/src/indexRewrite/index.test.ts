import { describe, expect, it } from 'vitest';
import { CODES, checkPipeline, edge, planPipeline, type Outcome } from '@edgeline/core';
import { eventFor, expectSameEverywhere, lambdaEvent, runPipeline, viewerRequest, type EventInit } from '@edgeline/core/testing';
import { hasNjs } from '@edgeline/cf-target';
import { runPortably } from '../testing/portable.js';
import { indexRewrite } from '.';

const njsInstalled = await hasNjs();

function uriOf(out: Outcome): string {
  if (out.kind !== 'forward') throw new Error(`expected the request to go on, got ${out.kind}`);
  return out.request.uri;
}

/** Seeded (mulberry32): the same events on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Paths as viewers send them: folders, files, dotted folders, odd and encoded characters. */
function randomUris(seed: number, count: number): string[] {
  const r = prng(seed);
  const parts = ['docs', 'a.css', 'v1.2', '', 'index.html', '%2e%2e', '..', '.', 'ü', '😀', 'x y', 'a%zz', '.well-known', 'app.3f9a.js', 'b', 'c.'];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = 1 + Math.floor(r() * 4);
    const segs: string[] = [];
    for (let k = 0; k < n; k++) segs.push(parts[Math.floor(r() * parts.length)]);
    out.push('/' + segs.join('/') + (r() < 0.3 ? '/' : ''));
  }
  return out;
}

for (const shape of ['cff', 'lambda'] as const) {
  const run = async (uri: string, mw = indexRewrite(), init: EventInit = {}) => uriOf(await runPipeline(mw, eventFor(shape, 'viewer-request', { ...init, uri })));

  describe(`indexRewrite (${shape})`, () => {
    it('adds index.html to a folder, with or without the slash', async () => {
      expect(await run('/')).toBe('/index.html');
      expect(await run('/docs/')).toBe('/docs/index.html');
      expect(await run('/docs')).toBe('/docs/index.html');
      expect(await run('/docs/guide/start')).toBe('/docs/guide/start/index.html');
    });

    it('leaves a file name alone', async () => {
      for (const uri of ['/a.css', '/docs/app.3f9a.js', '/index.html', '/docs/index.html', '/.htaccess', '/x.']) expect(await run(uri)).toBe(uri);
    });

    it('looks at the last segment only: a dotted folder is a folder', async () => {
      expect(await run('/v1.2/guide')).toBe('/v1.2/guide/index.html');
      expect(await run('/v1.2/')).toBe('/v1.2/index.html');
      expect(await run('/v1.2')).toBe('/v1.2');
    });

    it('keeps the query string as sent', async () => {
      const out = await runPipeline(indexRewrite(), eventFor(shape, 'viewer-request', { uri: '/docs', querystring: 'a=1&b=%20' }));
      expect(uriOf(out)).toBe('/docs/index.html');
      expect(out.kind === 'forward' && out.request.querystring).toBe('a=1&b=%20');
    });

    it('uses the configured index document', async () => {
      expect(await run('/docs', indexRewrite({ index: 'default.htm' }))).toBe('/docs/default.htm');
      expect(await run('/docs/', indexRewrite({ index: 'default.htm' }))).toBe('/docs/default.htm');
    });

    it('with spa: true, sends every path without a file extension to /index.html', async () => {
      const spa = indexRewrite({ spa: true });
      for (const uri of ['/', '/app', '/app/', '/users/42/edit', '/v1.2/x']) expect(await run(uri, spa)).toBe('/index.html');
      for (const uri of ['/main.js', '/assets/logo.svg', '/favicon.ico']) expect(await run(uri, spa)).toBe(uri);
      expect(await run('/users/1', indexRewrite({ spa: true, index: 'app.html' }))).toBe('/app.html');
    });
  });

  describe(`security: indexRewrite on hostile paths (${shape})`, () => {
    it('never throws and only appends, on huge, malformed and odd UTF-8 paths', async () => {
      const hostile = ['/' + 'a/'.repeat(4000), '/' + '.'.repeat(8000), '/' + 'ü'.repeat(2700), '/\ud800', '/%', '/a\r\nb', '//evil.example', '/\\evil', '/..', '/%00'];
      for (const uri of hostile) {
        const got = await run(uri);
        expect(got === uri || got === uri + 'index.html' || got === uri + '/index.html').toBe(true);
      }
    });
  });
}

describe('indexRewrite targets', () => {
  it('runs at viewer-request everywhere, with no capability', () => {
    const p = edge().use(indexRewrite());
    for (const target of ['cloudfront-js-1.0', 'cloudfront-js-2.0', 'lambda'] as const) {
      expect(checkPipeline(p, target)).toEqual([]);
      const plan = planPipeline(p, target);
      expect(plan.ok && plan.placements[0].request).toBe('viewer-request');
    }
  });

  it('lowers to ES5 and gives the same uris in njs as in Node', async () => {
    const cases = randomUris(17, 60).map((uri) => ({ uri }));
    for (const mw of [indexRewrite(), indexRewrite({ spa: true })]) {
      const { njs, node } = await runPortably(mw, 'request', cases);
      expect(njs).toEqual(node);
    }
  });

  it.skipIf(!njsInstalled)('gives the same outcome from source, vm emulator, njs (1.0 and 2.0) and Lambda@Edge on seeded random paths', async () => {
    const uris = randomUris(4242, 200);
    const events = [...uris.map((uri) => viewerRequest({ uri, querystring: 'q=1' })), ...uris.slice(0, 40).map((uri) => lambdaEvent('viewer-request', { uri }))];
    for (const mw of [indexRewrite(), indexRewrite({ spa: true, index: 'app.html' })]) {
      await expectSameEverywhere(mw, events, { runtimes: ['cloudfront-js-1.0', 'cloudfront-js-2.0'] });
    }
  }, 60000);
});

describe('indexRewrite options', () => {
  const bad: [string, unknown][] = [
    ['index', { index: '' }],
    ['index', { index: 'a/b.html' }],
    ['index', { index: '/index.html' }],
    ['index', { index: '..' }],
    ['index', { index: '.hidden' }],
    ['index', { index: 'in dex.html' }],
    ['index', { index: 'index.html\r\n' }],
    ['index', { index: 'ü.html' }],
    ['index', { index: 42 }],
    ['spa', { spa: 'yes' }],
    ['spaa', { spaa: true }],
    ['options', 'index.html'],
  ];
  for (const [option, options] of bad) {
    it(`refuses ${JSON.stringify(options)}, naming ${option}`, () => {
      expect(() => indexRewrite(options as never)).toThrow(expect.objectContaining({ code: CODES.config, option }));
      expect(() => indexRewrite(options as never)).toThrow(/^indexRewrite \S+: /);
    });
  }

  it('takes what its defaults say', () => {
    expect(indexRewrite().config).toEqual({ index: 'index.html', slashIndex: '/index.html', spa: '' });
    expect(indexRewrite({ index: 'default.htm', spa: true }).config).toEqual({ index: 'default.htm', slashIndex: '/default.htm', spa: '/default.htm' });
  });
});
