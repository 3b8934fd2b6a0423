import { describe, expect, it } from 'vitest';
import { CODES, checkPipeline, edge, type Outcome } from '@edgeline/core';
import { eventFor, runPipeline, type EventInit } from '@edgeline/core/testing';
import { runPortably, type HookCase } from '../testing/portable.js';
import { geoRedirect } from '.';

const geo = geoRedirect({ countries: ['de', 'FR', 'es'], fallback: 'en' });

function location(out: Outcome): string | undefined {
  if (out.kind !== 'respond') return undefined;
  return out.response.headers.location?.[0];
}

for (const shape of ['cff', 'lambda'] as const) {
  const run = (init: EventInit, mw = geo) => runPipeline(mw, eventFor(shape, 'viewer-request', init));

  describe(`geoRedirect (${shape})`, () => {
    it("redirects to the viewer's country section", async () => {
      const out = await run({ uri: '/pricing', country: 'DE' });
      expect(out.kind).toBe('respond');
      expect(out.kind === 'respond' && out.response.status).toBe(302);
      expect(location(out)).toBe('/de/pricing');
      expect(location(await run({ uri: '/pricing', country: 'fr' }))).toBe('/fr/pricing');
    });

    it('sends other and unknown countries to the fallback', async () => {
      expect(location(await run({ uri: '/pricing', country: 'US' }))).toBe('/en/pricing');
      expect(location(await run({ uri: '/pricing' }))).toBe('/en/pricing');
      expect(location(await run({ uri: '/', country: 'ES' }))).toBe('/es/');
    });

    it('keeps the query string, repeated keys and odd escapes included', async () => {
      expect(location(await run({ uri: '/p', country: 'ES', querystring: 'a=1&a=2&b=%zz' }))).toBe('/es/p?a=1&a=2&b=%zz');
      expect(location(await run({ uri: '/p', country: 'DE', querystring: 'q=caf%C3%A9&x=a%2Fb' }))).toBe('/de/p?q=caf%C3%A9&x=a%2Fb');
    });

    it('forwards a request already in a section unchanged, whatever the country', async () => {
      for (const uri of ['/de/pricing', '/en/', '/fr/a/b.html', '/es/']) {
        const event = eventFor(shape, 'viewer-request', { uri, country: 'US', querystring: 'a=1' });
        const before = structuredClone(event);
        const out = await runPipeline(geo, event);
        expect(out.kind).toBe('forward');
        expect(out.raw).toEqual('Records' in before ? before.Records[0].cf.request : before.request);
      }
    });

    it('adds the slash to a bare section', async () => {
      expect(location(await run({ uri: '/de', country: 'FR' }))).toBe('/de/');
      expect(location(await run({ uri: '/en', country: 'DE', querystring: 'x=1' }))).toBe('/en/?x=1');
    });

    it('answers with the configured status and reads the configured header', async () => {
      const permanent = geoRedirect({ countries: ['de'], status: 308, header: 'X-Country' });
      const out = await run({ uri: '/a', headers: { 'x-country': 'DE' }, country: 'FR' }, permanent);
      expect(out.kind === 'respond' && out.response.status).toBe(308);
      expect(location(out)).toBe('/de/a');
    });
  });

  describe(`security: geoRedirect never redirects off-site (${shape})`, () => {
    const evil = [
      '//evil.example', '//evil.example/x', '/\\evil.example', '/\\/evil.example', '\\\\evil.example', '///evil.example',
      '/%2F%2Fevil.example', '/%5C%5Cevil.example', 'evil.example', 'https://evil.example/', '/\t/evil.example',
      '/ /evil.example', '/%0d%0aSet-Cookie:x=1', '/a\r\nSet-Cookie: x=1', '/@evil.example', '/..//evil.example',
    ];
    for (const uri of evil) {
      it(`keeps ${JSON.stringify(uri)} on the site`, async () => {
        const out = await run({ uri, country: 'DE' });
        const loc = location(out)!;
        expect(loc.startsWith('/de/')).toBe(true);
        expect(loc.charAt(4)).not.toMatch(/[/\\]/);
        // Only URL path characters reach the header: no CR, LF, space, tab or backslash.
        expect(loc).toMatch(/^[\w\-.~!$&'()*+,;=:@/?%]+$/);
        expect(new URL(loc, 'https://site.example/page').origin).toBe('https://site.example');
      });
    }

    it('collapses leading slashes instead of prefixing them', async () => {
      expect(location(await run({ uri: '//evil.example', country: 'DE' }))).toBe('/de/evil.example');
      expect(location(await run({ uri: '/\\evil.example', country: 'DE' }))).toBe('/de/evil.example');
      expect(location(await run({ uri: '//de/x', country: 'FR' }))).toBe('/de/x');
    });

    it('percent-encodes what is not a URL character, never throwing', async () => {
      expect(location(await run({ uri: '/ünï', country: 'DE' }))).toBe('/de/%C3%BCn%C3%AF');
      expect(location(await run({ uri: '/a\ud800b', country: 'DE' }))).toBe('/de/a%EF%BF%BDb');
      expect(location(await run({ uri: '/😀', country: 'DE' }))).toBe('/de/%F0%9F%98%80');
      expect(location(await run({ uri: '/a"<b>', country: 'DE' }))).toBe('/de/a%22%3Cb%3E');
    });

    it('is not fooled by prototype names as country or section', async () => {
      for (const country of ['__proto__', 'constructor', 'toString', '']) {
        expect(location(await run({ uri: '/x', headers: { 'cloudfront-viewer-country': country } }))).toBe('/en/x');
      }
      expect(location(await run({ uri: '/constructor/x', country: 'DE' }))).toBe('/de/constructor/x');
      expect(location(await run({ uri: '/__proto__/', country: 'DE' }))).toBe('/de/__proto__/');
    });
  });
}

describe('geoRedirect targets', () => {
  it('runs on every target with no capability', () => {
    const p = edge().use(geo);
    expect(checkPipeline(p, 'cloudfront-js-1.0')).toEqual([]);
    expect(checkPipeline(p, 'cloudfront-js-2.0')).toEqual([]);
    expect(checkPipeline(p, 'lambda')).toEqual([]);
    expect(geo.needs).toEqual([]);
  });

  it('lowers to ES5 and gives the same answers in njs as in Node', async () => {
    const cases = [
      { uri: '/pricing', country: 'DE' }, { uri: '/pricing', country: 'us' }, { uri: '/de/x' }, { uri: '/de' },
      { uri: '//evil.example', country: 'FR' }, { uri: '/ünï', country: 'ES' }, { uri: '/a\ud800', country: 'ES' },
      { uri: '/p', query: 'a=1&a=2', country: 'DE' }, { uri: '/a\r\nb' },
    ].map(({ country, ...rest }): HookCase => ({ ...rest, headers: country ? { 'cloudfront-viewer-country': country } : {} }));
    const { njs, node } = await runPortably(geo, 'request', cases);
    expect(njs).toEqual(node);
    expect(njs.map((r) => (r.result as { location?: string } | null)?.location ?? null)).toEqual([
      '/de/pricing', '/en/pricing', null, '/de/', '/fr/evil.example', '/es/%C3%BCn%C3%AF', '/es/a%EF%BF%BD', '/de/p?a=1&a=2', '/en/a%0D%0Ab',
    ]);
  });
});

describe('geoRedirect options', () => {
  const bad: [string, unknown][] = [
    ['countries', {}],
    ['countries', { countries: [] }],
    ['countries', { countries: 'de' }],
    ['countries[1]', { countries: ['de', 'xx'] }],
    ['countries[0]', { countries: ['deu'] }],
    ['countries[0]', { countries: [49] }],
    ['fallback', { countries: ['de'], fallback: '' }],
    ['fallback', { countries: ['de'], fallback: '../x' }],
    ['fallback', { countries: ['de'], fallback: 'EN' }],
    ['fallback', { countries: ['de'], fallback: '/en' }],
    ['status', { countries: ['de'], status: 303 }],
    ['status', { countries: ['de'], status: '302' }],
    ['header', { countries: ['de'], header: 'bad header' }],
    ['header', { countries: ['de'], header: '' }],
    ['countrys', { countries: ['de'], countrys: ['fr'] }],
  ];
  for (const [option, options] of bad) {
    it(`refuses ${JSON.stringify(options)}, naming ${option}`, () => {
      expect(() => geoRedirect(options as never)).toThrow(expect.objectContaining({ code: CODES.config, option }));
    });
  }

  it('suggests the ISO code for a look-alike', () => {
    expect(() => geoRedirect({ countries: ['uk'] })).toThrow(/did you mean 'GB'/);
  });

  it('keeps its config plain data, precomputed as lookups', () => {
    expect(geo.config).toEqual({
      header: 'cloudfront-viewer-country',
      countries: { de: 1, fr: 1, es: 1 },
      sections: { de: 1, fr: 1, es: 1, en: 1 },
      fallback: 'en',
      status: 302,
    });
  });
});
