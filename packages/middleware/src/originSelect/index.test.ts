import { createSocket, type Socket } from 'node:dgram';
import { afterAll, afterEach, beforeAll, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { CODES, checkPipeline, edge, planPipeline, type Middleware, type Outcome } from '@edgeline/core';
import { eventFor, lambdaEvent, runPipeline, type EventInit } from '@edgeline/core/testing';
import { runPortably, type HookCase } from '../testing/portable.js';
import { originSelect } from '.';

const EU = { s3: { bucket: 'assets-eu', region: 'eu-central-1' } };
const US = { s3: { bucket: 'assets-us', region: 'us-east-1' } };
const BETA = { custom: { domainName: 'beta.example.com', protocol: 'https' as const, port: 8443, path: '/v2' } };
const MAIN = { custom: { domainName: 'origin.example.com' } };

const select = originSelect({ byCountry: { DE: EU, fr: EU, US }, byHeader: { 'X-Channel': { beta: BETA } }, default: MAIN });

/** The origin a request went to, as each shape records it, and its Host header. */
function originOf(out: Outcome): { host: string | undefined; domainName: unknown; raw: unknown } | undefined {
  if (out.kind !== 'forward') throw new Error(`expected the request to go on, got ${out.kind}`);
  if (!out.origin) return undefined;
  const o = out.origin as { s3?: { domainName: string }; custom?: { domainName: string }; domainName?: string };
  return { host: out.request.headers.host?.[0], domainName: o.domainName ?? (o.s3 ?? o.custom)!.domainName, raw: o };
}

// Lambda@Edge changes the origin at origin-request; cloudfront-js-2.0 at viewer-request.
const shapes = [
  { shape: 'lambda' as const, eventType: 'origin-request' as const },
  { shape: 'cff' as const, eventType: 'viewer-request' as const },
];

for (const { shape, eventType } of shapes) {
  const run = (init: EventInit, mw: Middleware = select) => runPipeline(mw, eventFor(shape, eventType, init), shape === 'cff' ? { target: 'cloudfront-js-2.0' } : {});

  describe(`originSelect (${shape}, ${eventType})`, () => {
    it("picks the viewer country's origin", async () => {
      expect(originOf(await run({ country: 'DE' }))?.domainName).toBe('assets-eu.s3.eu-central-1.amazonaws.com');
      expect(originOf(await run({ country: 'FR' }))?.domainName).toBe('assets-eu.s3.eu-central-1.amazonaws.com');
      expect(originOf(await run({ country: 'us' }))?.domainName).toBe('assets-us.s3.us-east-1.amazonaws.com');
    });

    it('picks by header before country', async () => {
      const o = originOf(await run({ country: 'DE', headers: { 'x-channel': 'beta' } }))!;
      expect(o.domainName).toBe('beta.example.com');
      // A header value that is not listed falls through to the country.
      expect(originOf(await run({ country: 'DE', headers: { 'x-channel': 'Beta' } }))?.domainName).toBe('assets-eu.s3.eu-central-1.amazonaws.com');
    });

    it('falls back to default, or keeps the distribution origin without one', async () => {
      expect(originOf(await run({ country: 'JP' }))?.domainName).toBe('origin.example.com');
      expect(originOf(await run({}))?.domainName).toBe('origin.example.com');
      const noDefault = originSelect({ byCountry: { DE: EU } });
      const event = eventFor(shape, eventType, { country: 'JP' });
      const before = structuredClone(event);
      const out = await runPipeline(noDefault, event, shape === 'cff' ? { target: 'cloudfront-js-2.0' } : {});
      expect(out.raw).toEqual('Records' in before ? before.Records[0].cf.request : before.request);
    });

    it('ignores prototype names in header and country lookups', async () => {
      for (const value of ['__proto__', 'constructor', 'toString']) {
        expect(originOf(await run({ headers: { 'x-channel': value, 'cloudfront-viewer-country': value } }))?.domainName).toBe('origin.example.com');
      }
    });
  });
}

describe('originSelect on Lambda@Edge', () => {
  it('rewrites request.origin and the Host header follows it', async () => {
    const out = await runPipeline(select, lambdaEvent('origin-request', { country: 'DE' }));
    const o = originOf(out)!;
    expect(o.host).toBe('assets-eu.s3.eu-central-1.amazonaws.com');
    expect(o.raw).toMatchObject({ s3: { domainName: 'assets-eu.s3.eu-central-1.amazonaws.com', region: 'eu-central-1' } });
    const custom = originOf(await runPipeline(select, lambdaEvent('origin-request', { headers: { 'x-channel': 'beta' } })))!;
    expect(custom.host).toBe('beta.example.com');
    expect(custom.raw).toMatchObject({ custom: { domainName: 'beta.example.com', port: 8443, protocol: 'https', path: '/v2' } });
  });

  it('does nothing at viewer-request (the hook runs at origin-request)', async () => {
    const event = lambdaEvent('viewer-request', { country: 'DE' });
    const before = structuredClone(event);
    expect((await runPipeline(select, event)).raw).toEqual(before.Records[0].cf.request);
  });
});

describe('originSelect placement', () => {
  it('runs at origin-request on Lambda@Edge and at viewer-request on cloudfront-js-2.0', () => {
    const lambda = planPipeline(edge().use(select), 'lambda');
    expect(lambda.ok && lambda.placements[0].request).toBe('origin-request');
    const cf2 = planPipeline(edge().use(select), 'cloudfront-js-2.0');
    expect(cf2.ok && cf2.placements[0].request).toBe('viewer-request');
  });

  it('is rejected on cloudfront-js-1.0 with the fix', () => {
    expect(checkPipeline(edge().use(select), 'cloudfront-js-1.0')).toEqual([
      expect.objectContaining({ middleware: 'originSelect', capability: 'origin', fix: expect.stringContaining('cloudfront-js-2.0') }),
    ]);
  });

  it('carries its capabilities in its type', () => {
    expect(select.needs).toEqual(['origin']);
    expectTypeOf(select).toEqualTypeOf<Middleware<'origin'>>();
    const dns = originSelect({ dnsTxt: 'nearest.assets.example.com', default: US });
    expect(dns.needs).toEqual(['origin', 'network', 'async']);
    expectTypeOf(dns).toEqualTypeOf<Middleware<'origin' | 'network' | 'async'>>();
    expect(checkPipeline(edge().use(dns), 'lambda')).toEqual([]);
    expect(checkPipeline(edge().use(dns), 'cloudfront-js-2.0').map((v) => v.capability)).toEqual(['network']);
  });

  it('lowers to ES5 and picks the same origins in njs as in Node', async () => {
    const cases: HookCase[] = [
      { country: 'DE' }, { country: 'us' }, { country: 'JP' }, {}, { headers: { 'x-channel': 'beta' }, country: 'DE' },
      { headers: { 'x-channel': '__proto__' } }, { country: 'constructor' },
    ];
    const { njs, node } = await runPortably(select, 'request', cases);
    expect(njs).toEqual(node);
    expect(njs.map((r) => r.origin)).toEqual([EU, US, MAIN, MAIN, BETA, MAIN, MAIN]);
  });
});

// ---------------------------------------------------------------------------------------------
// dnsTxt, against a small DNS server on 127.0.0.1 (UDP)

const RECORDS: Record<string, string[][]> = {
  'nearest.assets.test': [['assets-eu-west-1;eu-west-1']],
  'chunked.assets.test': [['not a record'], ['assets-', 'ap-southeast-2;ap-southeast-2']],
  'other.assets.test': [['assets-sa-east-1;sa-east-1']],
  'bad.assets.test': [['assets;eu-west-1;extra'], ['Bad_Bucket;eu-west-1'], ['assets-x;nowhere']],
  'empty.assets.test': [],
};

/** Answers TXT questions from RECORDS; NXDOMAIN for other names, SERVFAIL for `fail.*`. */
function dnsAnswer(query: Buffer): Buffer {
  let at = 12;
  const labels: string[] = [];
  while (query[at] !== 0) {
    labels.push(query.subarray(at + 1, at + 1 + query[at]).toString('latin1'));
    at += query[at] + 1;
  }
  const question = query.subarray(12, at + 5);
  const name = labels.join('.').toLowerCase();
  const records = RECORDS[name];
  const rcode = records ? 0 : name.startsWith('fail.') ? 2 : 3;
  const answers = (records ?? []).map((strings) => {
    const rdata = Buffer.concat(strings.map((s) => Buffer.concat([Buffer.from([Buffer.byteLength(s)]), Buffer.from(s)])));
    const fixed = Buffer.alloc(12);
    fixed.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
    fixed.writeUInt16BE(16, 2); // TXT
    fixed.writeUInt16BE(1, 4); // IN
    fixed.writeUInt32BE(60, 6);
    fixed.writeUInt16BE(rdata.length, 10);
    return Buffer.concat([fixed, rdata]);
  });
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2);
  header.writeUInt16BE(0x8180 | rcode, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  return Buffer.concat([header, question, ...answers]);
}

describe('originSelect with dnsTxt (lambda)', () => {
  let server: Socket;
  let dnsServer = '';
  let deadServer = '';
  let queries: string[] = [];

  beforeAll(async () => {
    server = createSocket('udp4');
    server.on('message', (msg, peer) => {
      const answer = dnsAnswer(msg);
      queries.push(answer.subarray(12).toString('latin1'));
      server.send(answer, peer.port, peer.address);
    });
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
    dnsServer = `127.0.0.1:${server.address().port}`;
    const dead = createSocket('udp4');
    await new Promise<void>((resolve) => dead.bind(0, '127.0.0.1', resolve));
    deadServer = `127.0.0.1:${dead.address().port}`;
    await new Promise<void>((resolve) => dead.close(resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(resolve)));
  afterEach(() => {
    vi.useRealTimers();
    queries = [];
  });

  const run = (mw: Middleware, init: EventInit = {}) => runPipeline(mw, lambdaEvent('origin-request', init));
  const dnsSelect = (dnsTxt: string, extra: object = {}) => originSelect({ dnsTxt, dnsServer, default: US, ...extra });

  it('sends the request to the bucket the TXT record names', async () => {
    const o = originOf(await run(dnsSelect('nearest.assets.test')))!;
    expect(o.domainName).toBe('assets-eu-west-1.s3.eu-west-1.amazonaws.com');
    expect(o.host).toBe('assets-eu-west-1.s3.eu-west-1.amazonaws.com');
    expect(o.raw).toMatchObject({ s3: { region: 'eu-west-1' } });
  });

  it('with oac: false, sends the request to that bucket unsigned (its REST endpoint as a custom origin)', async () => {
    const o = originOf(await run(dnsSelect('nearest.assets.test', { oac: false })))!;
    expect(o.host).toBe('assets-eu-west-1.s3.eu-west-1.amazonaws.com');
    expect(o.raw).toMatchObject({ custom: { domainName: 'assets-eu-west-1.s3.eu-west-1.amazonaws.com', protocol: 'https', port: 443, path: '' } });
    // The signed and unsigned answers are kept apart in the container's cache.
    expect(originOf(await run(dnsSelect('nearest.assets.test')))?.raw).toMatchObject({ s3: { region: 'eu-west-1', authMethod: 'none' } });
  });

  it('joins the strings of a record and takes the first record that reads bucket;region', async () => {
    expect(originOf(await run(dnsSelect('chunked.assets.test')))?.domainName).toBe('assets-ap-southeast-2.s3.ap-southeast-2.amazonaws.com');
  });

  it('asks once per TTL, not once per request', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const mw = dnsSelect('other.assets.test', { dnsTtl: 30 });
    for (let i = 0; i < 3; i++) expect(originOf(await run(mw))?.domainName).toBe('assets-sa-east-1.s3.sa-east-1.amazonaws.com');
    expect(queries).toHaveLength(1);
    vi.setSystemTime(Date.now() + 31_000);
    expect(originOf(await run(mw))?.domainName).toBe('assets-sa-east-1.s3.sa-east-1.amazonaws.com');
    expect(queries).toHaveLength(2);
  });

  it('falls back to default when the record is malformed, missing or the server fails', async () => {
    for (const name of ['bad.assets.test', 'empty.assets.test', 'missing.assets.test', 'fail.assets.test']) {
      expect(originOf(await run(dnsSelect(name)))?.domainName).toBe('assets-us.s3.us-east-1.amazonaws.com');
    }
    const unreachable = originSelect({ dnsTxt: 'nearest.assets.test', dnsServer: deadServer, default: US });
    expect(originOf(await run(unreachable))?.domainName).toBe('assets-us.s3.us-east-1.amazonaws.com');
  });

  it('keeps a failure only briefly, then asks again', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const mw = dnsSelect('fail.again.test');
    await run(mw);
    await run(mw);
    expect(queries).toHaveLength(1);
    vi.setSystemTime(Date.now() + 6_000);
    await run(mw);
    expect(queries).toHaveLength(2);
  });

  it('keeps the distribution origin on failure without a default', async () => {
    const event = lambdaEvent('origin-request', {});
    const before = structuredClone(event);
    const out = await runPipeline(originSelect({ dnsTxt: 'missing.none.test', dnsServer }), event);
    expect(out.raw).toEqual(before.Records[0].cf.request);
  });

  it('asks no DNS when byHeader or byCountry already chose', async () => {
    const mw = dnsSelect('nearest.assets.test', { byCountry: { DE: EU } });
    expect(originOf(await run(mw, { country: 'DE' }))?.domainName).toBe('assets-eu.s3.eu-central-1.amazonaws.com');
    expect(queries).toHaveLength(0);
  });
});

describe('originSelect options', () => {
  const bad: [string, unknown][] = [
    ['default', {}],
    ['byCountry.XX', { byCountry: { XX: EU } }],
    ['byCountry.UK', { byCountry: { UK: EU } }],
    ['byCountry', { byCountry: [EU] }],
    ['byCountry.DE.s3.bucket', { byCountry: { DE: { s3: { bucket: 'My_Bucket', region: 'eu-central-1' } } } }],
    ['byCountry.DE.s3.bucket', { byCountry: { DE: { s3: { bucket: 'my.bucket', region: 'eu-central-1' } } } }],
    ['byCountry.DE.s3.region', { byCountry: { DE: { s3: { bucket: 'assets', region: 'mars-1' } } } }],
    ['byCountry.DE', { byCountry: { DE: { ...EU, ...MAIN } } }],
    ['byCountry.DE', { byCountry: { DE: 'assets-eu' } }],
    ['default.custom.domainName', { default: { custom: { domainName: 'https://origin.example.com' } } }],
    ['default.custom.domainName', { default: { custom: { domainName: 'origin.example.com/x' } } }],
    ['default.custom.port', { default: { custom: { domainName: 'origin.example.com', port: 0 } } }],
    ['default.custom.protocol', { default: { custom: { domainName: 'origin.example.com', protocol: 'ftp' } } }],
    ['default.custom.path', { default: { custom: { domainName: 'origin.example.com', path: 'v2/' } } }],
    ['default.custom.path', { default: { custom: { domainName: 'origin.example.com', path: '/v2/' } } }],
    ['default.custom.host', { default: { custom: { domainName: 'origin.example.com', host: 'x' } } }],
    ['byHeader', { byHeader: { 'bad header': { a: MAIN } } }],
    ['byHeader.x-a', { byHeader: { 'x-a': MAIN.custom.domainName } }],
    ['byHeader', { byHeader: [] }],
    ['dnsTxt', { dnsTxt: 'not a name', default: US }],
    ['dnsTxt', { dnsTxt: '', default: US }],
    ['dnsTtl', { dnsTxt: 'a.example.com', dnsTtl: 0 }],
    ['dnsTtl', { default: US, dnsTtl: 30 }],
    ['dnsServer', { dnsTxt: 'a.example.com', dnsServer: 'dns.example.com' }],
    ['dnsServer', { dnsTxt: 'a.example.com', dnsServer: '127.0.0.1:99999' }],
    ['dnsServer', { default: US, dnsServer: '127.0.0.1' }],
    ['byCountryy', { byCountryy: { DE: EU } }],
  ];
  for (const [option, options] of bad) {
    it(`refuses ${JSON.stringify(options)}, naming ${option}`, () => {
      expect(() => originSelect(options as never)).toThrow(expect.objectContaining({ code: CODES.config, option }));
    });
  }

  it('keeps each origin once in its config', () => {
    const config = select.config as { origins: unknown[]; countries: Record<string, number> };
    expect(config.origins).toEqual([BETA, EU, US, MAIN]);
    expect(config.countries).toEqual({ DE: 1, FR: 1, US: 2 });
  });
});
