import { describe, expect, it } from 'vitest';
import { CODES, checkPipeline, edge, type Outcome } from '@edgeline/core';
import { eventFor, expectSameEverywhere, runPipeline, type EventInit } from '@edgeline/core/testing';
import type { CffEvent, LeEvent } from '@edgeline/core/runtime';
import { buildCf, hasNjs, runInNjs } from '@edgeline/cf-target';
import { buildLambda, runLambdaArtifact } from '@edgeline/lambda-target';
import { redirects, type RedirectRule } from '.';

const table = redirects({
  rules: [
    { from: '/old', to: '/new' },
    { from: '/blog/*', to: '/articles/*' },
    { from: '/blog/2019/*', to: '/archive/*', status: 308 },
    { from: '/blog/feed', to: '/feed.xml', query: 'drop' },
    { from: '/shop/*', to: 'https://shop.example.com/' },
    { from: '/promo', to: '/sale?ref=promo', status: 302 },
    { from: '/moved/*', to: '/*' },
  ],
});
const njsInstalled = await hasNjs();
const CF = 'cloudfront-js-1.0';
const CF2 = 'cloudfront-js-2.0';

function location(out: Outcome): string | undefined {
  return out.kind === 'respond' ? out.response.headers.location?.[0] : undefined;
}
function status(out: Outcome): number | undefined {
  return out.kind === 'respond' ? out.response.status : undefined;
}

for (const shape of ['cff', 'lambda'] as const) {
  const run = (init: EventInit, mw = table) => runPipeline(mw, eventFor(shape, 'viewer-request', init), { target: shape === 'cff' ? CF : 'lambda' });

  describe(`redirects (${shape})`, () => {
    it('redirects an exact path with the default 301, keeping the query string', async () => {
      const out = await run({ uri: '/old', querystring: 'a=1&b=%20' });
      expect(status(out)).toBe(301);
      expect(location(out)).toBe('/new?a=1&b=%20');
      expect(location(await run({ uri: '/old' }))).toBe('/new');
    });

    it('carries the rest of the path over for a prefix rule; the longest prefix wins', async () => {
      expect(location(await run({ uri: '/blog/hello/world' }))).toBe('/articles/hello/world');
      expect(location(await run({ uri: '/blog/' }))).toBe('/articles/');
      const old = await run({ uri: '/blog/2019/post', querystring: 'x=1' });
      expect([status(old), location(old)]).toEqual([308, '/archive/post?x=1']);
    });

    it('prefers an exact rule, drops the query string when asked, and appends to a target query with &', async () => {
      expect(location(await run({ uri: '/blog/feed', querystring: 'utm=x' }))).toBe('/feed.xml');
      const promo = await run({ uri: '/promo', querystring: 'utm=x' });
      expect([status(promo), location(promo)]).toEqual([302, '/sale?ref=promo&utm=x']);
    });

    it('sends a whole prefix to an absolute https target without a star', async () => {
      expect(location(await run({ uri: '/shop/a/b', querystring: 'q=1' }))).toBe('https://shop.example.com/?q=1');
    });

    it('lets every other path go on unchanged', async () => {
      for (const uri of ['/', '/old/', '/olds', '/blog', '/new', '/Blog/x', '/articles/x']) {
        const event = eventFor(shape, 'viewer-request', { uri, querystring: 'a=1' });
        const before = structuredClone(event);
        const out = await runPipeline(table, event, { target: shape === 'cff' ? CF : 'lambda' });
        expect(out.kind, uri).toBe('forward');
        expect(out.raw).toEqual('Records' in before ? before.Records[0].cf.request : before.request);
      }
    });
  });

  describe(`security: redirects never builds an off-site Location (${shape})`, () => {
    const hostile = [
      '/moved//evil.example', '/moved/\\evil.example', '/moved/\\/evil.example', '/moved////evil.example/x', '/moved/%2F%2Fevil.example',
      '/moved/\t/evil.example', '/moved/a\r\nSet-Cookie: x=1', '/moved/ünï', '/moved/a\ud800b', '/moved/😀', '/moved/a"<b>#frag',
      '/blog//evil.example', '/blog/\\\\evil.example',
    ];
    for (const uri of hostile) {
      it(`keeps ${JSON.stringify(uri)} on the site`, async () => {
        const loc = location(await run({ uri }))!;
        expect(loc.startsWith('/')).toBe(true);
        expect(loc.charAt(1)).not.toMatch(/[/\\]/);
        expect(loc).toMatch(/^[\w\-.~!$&'()*+,;=:@/?%]+$/);
        expect(new URL(loc, 'https://site.example/page').origin).toBe('https://site.example');
      });
    }

    it('collapses the leading slashes of the rest, encodes what is not a URL character', async () => {
      expect(location(await run({ uri: '/moved//evil.example' }))).toBe('/evil.example');
      expect(location(await run({ uri: '/moved/\\evil.example' }))).toBe('/evil.example');
      expect(location(await run({ uri: '/moved///' }))).toBe('/');
      expect(location(await run({ uri: '/moved/a\ud800b' }))).toBe('/a%EF%BF%BDb');
      expect(location(await run({ uri: '/moved/a b#c' }))).toBe('/a%20b%23c');
      expect(location(await run({ uri: '/moved/x', querystring: 'q=%zz&r=a%20b' }))).toBe('/x?q=%zz&r=a%20b');
    });

    it('replaces each lone surrogate with U+FFFD and keeps the pairs around it', async () => {
      expect(location(await run({ uri: '/moved/😀\udc00a\ud800\ud800😀\udfff' }))).toBe('/%F0%9F%98%80%EF%BF%BDa%EF%BF%BD%EF%BF%BD%F0%9F%98%80%EF%BF%BD');
      expect(location(await run({ uri: '/moved/x', querystring: 'q=\ud83d' }))).toBe('/x?q=%EF%BF%BD');
    });

    it('is not fooled by Object.prototype names as paths', async () => {
      for (const uri of ['constructor', '__proto__', 'toString', '/constructor', '/__proto__/', 'hasOwnProperty/x']) {
        expect((await run({ uri })).kind, uri).toBe('forward');
      }
    });

    it('lets a URL too long to encode within the compute budget go on unchanged', async () => {
      expect((await run({ uri: '/old', querystring: 'q=' + 'x'.repeat(2100) })).kind).toBe('forward');
      expect((await run({ uri: '/old', querystring: Array.from({ length: 100 }, () => 'a').join('&') })).kind).toBe('forward');
      expect((await run({ uri: '/blog/feed', querystring: 'q=' + 'x'.repeat(8000) })).kind).toBe('respond'); // query dropped: nothing to encode
      expect((await run({ uri: '/blog/' + 'x/'.repeat(3000) })).kind).toBe('forward');
    });
  });
}

describe('redirects targets', () => {
  it('runs on every target with no capability; kvs needs cloudfront-js-2.0', () => {
    expect(table.needs).toEqual([]);
    for (const t of [CF, CF2, 'lambda'] as const) expect(checkPipeline(edge().use(table), t)).toEqual([]);
    const kvs = redirects({ kvs: true });
    expect(kvs.needs).toEqual(['kvs', 'async']);
    expect(checkPipeline(edge().use(kvs), CF2)).toEqual([]);
    expect(checkPipeline(edge().use(kvs), CF).map((v) => v.capability)).toContain('kvs');
  });

  it('keeps its config plain data: exact paths and prefixes as lookups, a rule with options by number', () => {
    expect(redirects({ rules: [{ from: '/a', to: '/b' }, { from: '/x/y/*', to: '/z/*', query: 'drop', status: 302 }] }).config).toEqual({
      exact: { '/a': '/b' }, prefix: { '/x/y/': 0 }, depth: 3, levels: [0, 0, 1], to: ['/z/'], sep: [''], statuses: [302], whole: null, status: 301,
    });
    expect(redirects({ rules: [{ from: '/a', to: '/b' }, { from: '/x/*', to: '/z/*' }] }).config).toEqual({
      exact: { '/a': '/b' }, prefix: { '/x/': '/z/' }, depth: 2, levels: [0, 1], to: null, sep: [], statuses: [], whole: null, status: 301,
    });
  });

  it('builds artifacts that cannot throw: no try/catch around the hook (cloudfront-js-1.0 and 2.0, with kvs)', async () => {
    const kvs = redirects({ rules: [{ from: '/old', to: '/new' }, { from: '/blog/*', to: '/articles/*' }, { from: '/shop/*', to: 'https://shop.example.com/', status: 302 }], kvs: true });
    for (const [mw, runtime] of [[table, CF], [table, CF2], [kvs, CF2]] as const) {
      const cf = await buildCf({ pipeline: edge().use(mw), runtime, minify: false });
      if (!cf.ok) throw new Error(JSON.stringify(cf.violations));
      expect(cf.artifacts[0].code, runtime).not.toMatch(/redirects failed/);
    }
  });

  it('1,000 exact rules cost one lookup (Lambda@Edge; too large for a 10 KB CloudFront Function)', async () => {
    const rules = Array.from({ length: 1000 }, (_, i) => ({ from: `/page-${i}`, to: `/new/page-${i}` }));
    const big = redirects({ rules });
    expect(Object.keys((big.config as { exact: object }).exact)).toHaveLength(1000);
    const first = await runPipeline(big, eventFor('lambda', 'viewer-request', { uri: '/page-999' }));
    expect(location(first)).toBe('/new/page-999');
    const cf = await buildCf({ pipeline: edge().use(big), runtime: CF });
    expect(cf.ok).toBe(false);
  });

  // Seeded random requests over the table's paths, odd characters and query strings.
  function randomEvents(shape: 'cff' | 'lambda', n: number, seed: number): (CffEvent | LeEvent)[] {
    let s = seed;
    const rnd = (k: number) => ((s = (s * 1103515245 + 12345) % 2147483648) % k);
    const heads = ['/old', '/blog/', '/blog/2019/', '/blog/feed', '/shop/', '/promo', '/moved/', '/other/', '/'];
    const bits = ['a', 'b/', '/', '\\', '%20', '%zz', 'ü', '😀', '#', ' ', '..', 'x.html', '\ud800', '\r\n'];
    const queries = ['', 'a=1', 'a=1&a=2&b', 'q=caf%C3%A9&x=a+b', 'z=1&y=2&x=3', 'e=', '&&k=v&'];
    const out: (CffEvent | LeEvent)[] = [];
    for (let i = 0; i < n; i++) {
      let uri = heads[rnd(heads.length)];
      for (let j = rnd(4); j > 0; j--) uri += bits[rnd(bits.length)];
      out.push(eventFor(shape, 'viewer-request', { uri, querystring: queries[rnd(queries.length)] }));
    }
    return out;
  }

  it.skipIf(!njsInstalled)('the artifacts give what the source gives (njs, vm emulator, Lambda@Edge) on seeded random requests', async () => {
    await expectSameEverywhere(edge().use(table), [...randomEvents('cff', 120, 7), ...randomEvents('lambda', 60, 11)], { runtimes: [CF, CF2] });
  });

  it.skipIf(!njsInstalled)('the artifacts give what the source gives on seeded random tables and requests (every option combination)', async () => {
    let s = 3;
    const rnd = (k: number) => ((s = (s * 1103515245 + 12345) % 2147483648) % k);
    const pick = <T>(a: readonly T[]): T => a[rnd(a.length)];
    const segments = ['a', 'b', 'blog', 'x.html', '%20'];
    const path = (n: number) => Array.from({ length: n }, () => '/' + pick(segments)).join('') || '/';
    let built = 0;
    while (built < 6) {
      const rules: RedirectRule[] = [];
      for (let i = 1 + rnd(6); i > 0; i--) {
        const prefix = rnd(3) === 0;
        const from = prefix ? path(rnd(4)) + '/*' : path(1 + rnd(3)) + (rnd(5) ? '' : '/');
        const to = pick(['/n', '/n/', 'https://h.example/', '/q?x=1', '/', '/z/y']);
        const rule: RedirectRule = { from, to: prefix && rnd(2) && !to.includes('?') ? to.replace(/\/?$/, '/*') : to };
        if (rnd(3) === 0) rule.status = pick([301, 302, 307, 308] as const);
        if (rnd(4) === 0) rule.query = pick(['keep', 'drop'] as const);
        rules.push(rule);
      }
      let mw: ReturnType<typeof redirects>;
      try {
        mw = redirects({ rules, status: pick([301, 302, 307, 308] as const) });
      } catch {
        continue; // a loop or a rule twice
      }
      built++;
      const heads = [...rules.map((r) => r.from.replace('*', '')), '/', '/zz'];
      const bits = ['', 'a', 'b/', '/', '\\', '%20', 'ü', '#', 'blog/', '*'];
      const events = Array.from({ length: 24 }, (_, i) => {
        let uri = pick(heads);
        for (let j = rnd(4); j > 0; j--) uri += pick(bits);
        return eventFor(i % 4 ? 'cff' : 'lambda', 'viewer-request', { uri, querystring: pick(['', 'a=1', 'a=1&a=2&b', 'e=']) });
      });
      await expectSameEverywhere(edge().use(mw), events, { runtimes: [CF, CF2] });
    }
  });

  it.skipIf(!njsInstalled)('a prefix deeper than the build writes out lookup by lookup still matches (a loop)', async () => {
    const deep = '/' + 'a/'.repeat(40);
    const mw = redirects({ rules: [{ from: deep + '*', to: '/x/*', status: 302 }, { from: '/a/*', to: '/y/*' }, { from: deep + 'b', to: '/z' }] });
    expect((mw.config as { levels: number[] }).levels).toHaveLength(41);
    const uris = [deep + 'c/d', deep, '/a/a/c', deep + 'b', deep.slice(0, -1), '/a', '/b/'];
    expect(location(await runPipeline(mw, eventFor('cff', 'viewer-request', { uri: deep + 'c/d' }), { target: CF }))).toBe('/x/c/d');
    await expectSameEverywhere(edge().use(mw), uris.map((uri) => eventFor('cff', 'viewer-request', { uri, querystring: 'q=1' })), { runtimes: [CF, CF2] });
  });

  it.skipIf(!njsInstalled)('the largest requests CloudFront lets through return, in njs', async () => {
    const worst = [
      eventFor('cff', 'viewer-request', { uri: '/moved/' + '/'.repeat(8000) }),
      eventFor('cff', 'viewer-request', { uri: '/moved/' + 'ü😀\ud800 '.repeat(1000) }),
      eventFor('cff', 'viewer-request', { uri: '/blog/' + 'a/'.repeat(4000) }),
      eventFor('cff', 'viewer-request', { uri: '/old', querystring: Array.from({ length: 2000 }, (_, i) => `p${i}=${i}`).join('&') }),
    ];
    for (const runtime of [CF, CF2] as const) {
      const cf = await buildCf({ pipeline: edge().use(table), runtime });
      if (!cf.ok) throw new Error(JSON.stringify(cf.violations));
      const runs = await runInNjs(cf.artifacts[0].code, worst.map((e) => structuredClone(e)), { runtime, timeoutMs: 10000 });
      for (let i = 0; i < worst.length; i++) {
        expect(runs[i].ok, `${runtime} ${i}`).toBe(true);
        const source = await runPipeline(table, structuredClone(worst[i]), { target: runtime });
        const got = (runs[i] as { result: { headers: { location?: { value: string } } } }).result.headers.location?.value;
        expect(got, `${runtime} ${i}`).toBe(location(source));
      }
    }
  });
});

describe('redirects with kvs: true (cloudfront-js-2.0)', () => {
  const store = { '/legacy': '/modern', '/gone': '302 https://other.example/x?y=1', '//evil': '//evil.example', '/bad': '/a b', '/old': '/never' };
  const mw = redirects({ rules: [{ from: '/old', to: '/new' }, { from: '/blog/*', to: '/articles/*' }], kvs: true, status: 307 });
  const run = (init: EventInit) => runPipeline(mw, eventFor('cff', 'viewer-request', init), { target: CF2, kvs: store });

  it('looks a path no rule matches up in the store, with the status of the value or of the option', async () => {
    const legacy = await run({ uri: '/legacy', querystring: 'a=1' });
    expect([status(legacy), location(legacy)]).toEqual([307, '/modern?a=1']);
    const gone = await run({ uri: '/gone', querystring: 'a=1' });
    expect([status(gone), location(gone)]).toEqual([302, 'https://other.example/x?y=1&a=1']);
    expect(location(await run({ uri: '/old' }))).toBe('/new');
    expect(location(await run({ uri: '/blog/x' }))).toBe('/articles/x');
  });

  it('passes a missing key, an unsafe value and a path too long for a key on unchanged', async () => {
    for (const uri of ['/missing', '//evil', '/bad', '/' + 'x'.repeat(600), 'constructor']) expect((await run({ uri })).kind, uri).toBe('forward');
  });

  it.skipIf(!njsInstalled)('the artifact gives what the source gives', async () => {
    const events = ['/legacy', '/gone', '/old', '/blog/a', '/missing', '//evil', '/bad'].map((uri) => eventFor('cff', 'viewer-request', { uri, querystring: 'q=1' }));
    await expectSameEverywhere(edge().use(mw), events, { kvs: store, runtimes: [CF2] });
  });
});

describe('redirects options', () => {
  const bad: [string, unknown][] = [
    ['rules', {}],
    ['rules', { rules: [] }],
    ['rules', { rules: { from: '/a', to: '/b' } }],
    ['rules[0]', { rules: ['/a'] }],
    ['rules[0].form', { rules: [{ form: '/a', to: '/b' }] }],
    ['rules[0].from', { rules: [{ from: 'a', to: '/b' }] }],
    ['rules[0].from', { rules: [{ from: '/a?x=1', to: '/b' }] }],
    ['rules[0].from', { rules: [{ from: '/a*', to: '/b' }] }],
    ['rules[0].from', { rules: [{ from: '/a/*/b', to: '/b' }] }],
    ['rules[0].from', { rules: [{ from: '/ü', to: '/b' }] }],
    ['rules[0].from', { rules: [{ from: '/a%2', to: '/b' }] }],
    ['rules[0].to', { rules: [{ from: '/a', to: '//evil.example' }] }],
    ['rules[0].to', { rules: [{ from: '/a', to: '/\\evil.example' }] }],
    ['rules[0].to', { rules: [{ from: '/a', to: 'http://example.com/' }] }],
    ['rules[0].to', { rules: [{ from: '/a', to: 'javascript:alert(1)' }] }],
    ['rules[0].to', { rules: [{ from: '/a', to: 'https://example.com' }] }],
    ['rules[0].to', { rules: [{ from: '/a/*', to: 'https://example.com*' }] }],
    ['rules[0].to', { rules: [{ from: '/a', to: 'https://user@example.com/' }] }],
    ['rules[0].to', { rules: [{ from: '/a', to: 'b' }] }],
    ['rules[0].to', { rules: [{ from: '/a', to: '/b*' }] }],
    ['rules[0].to', { rules: [{ from: '/a/*', to: '/b?x=*' }] }],
    ['rules[0].to', { rules: [{ from: '/a', to: '/b#top' }] }],
    ['rules[0].to', { rules: [{ from: '/a', to: '/b\r\nx: y' }] }],
    ['rules[0].status', { rules: [{ from: '/a', to: '/b', status: 303 }] }],
    ['rules[0].query', { rules: [{ from: '/a', to: '/b', query: 'merge' }] }],
    ['rules[1].from', { rules: [{ from: '/a', to: '/b' }, { from: '/a', to: '/c' }] }],
    ['status', { rules: [{ from: '/a', to: '/b' }], status: 200 }],
    ['kvs', { kvs: 'yes' }],
    ['kvz', { rules: [{ from: '/a', to: '/b' }], kvz: true }],
    // Loops.
    ['rules[0]', { rules: [{ from: '/a', to: '/a' }] }],
    ['rules[0]', { rules: [{ from: '/a', to: '/b' }, { from: '/b', to: '/a?x=1' }] }],
    ['rules[0]', { rules: [{ from: '/a', to: '/b' }, { from: '/b', to: '/c' }, { from: '/c', to: '/a' }] }],
    ['rules[1]', { rules: [{ from: '/a/*', to: '/b/*' }, { from: '/b/x', to: '/a/x' }] }],
    ['rules[1]', { rules: [{ from: '/a/*', to: '/b/*' }, { from: '/b/x/*', to: '/a/x/*' }] }],
    ['rules[0]', { rules: [{ from: '/a/*', to: '/a/b/*' }] }],
    ['rules[0]', { rules: [{ from: '/*', to: '/new/*' }] }],
    ['rules[0]', { rules: [{ from: '/a/*', to: '/a/' }] }],
  ];
  for (const [option, options] of bad) {
    it(`refuses ${JSON.stringify(options)}, naming ${option}`, () => {
      expect(() => redirects(options as never)).toThrow(expect.objectContaining({ code: CODES.config, option }));
      expect(() => redirects(options as never)).toThrow(/^redirects /);
    });
  }

  it('accepts chains that end, and https targets it cannot follow', () => {
    expect(() => redirects({ rules: [{ from: '/a', to: '/b' }, { from: '/b', to: '/c' }] })).not.toThrow();
    expect(() => redirects({ rules: [{ from: '/a/*', to: '/b/*' }, { from: '/b/x', to: '/c' }] })).not.toThrow();
    expect(() => redirects({ rules: [{ from: '/a', to: 'https://site.example/a' }] })).not.toThrow();
    expect(() => redirects({ rules: [{ from: '/moved/*', to: '/*' }] })).not.toThrow();
  });

  it('names the loop', () => {
    expect(() => redirects({ rules: [{ from: '/a', to: '/b' }, { from: '/b', to: '/a' }] })).toThrow(/loop: \/a -> \/b, \/b -> \/a/);
  });
});
