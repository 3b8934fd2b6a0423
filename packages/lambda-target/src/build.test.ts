import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire, isBuiltin } from 'node:module';
import { defineMiddleware, edge, manifestOf, toOutcome, type Artifact, type EventType, type Pipeline, type SupportedBy } from '@edgeline/core';
import { eventTypeOf, lambdaEvent, runPipeline, type EventInit } from '@edgeline/core/testing';
import type { LeEvent, LeRequest, LeResponse } from '@edgeline/core/runtime';
import { buildLambda, runLambdaArtifact, type LambdaBuildOptions } from './index.js';

// Custom middleware, written as a user would.
const stamp = defineMiddleware({
  name: 'stamp',
  needs: [],
  config: { header: 'x-served-by', value: 'edgeline' },
  response(ctx, config) {
    ctx.response.headers.set(config.header, config.value);
    if (ctx.response.status >= 400) ctx.response.headers.set('cache-control', 'no-store');
    ctx.response.headers.append('set-cookie', 'seen=1; Path=/');
  },
});
const gate = defineMiddleware({
  name: 'gate',
  needs: [],
  config: { prefix: '/private', login: '/login' },
  request(ctx, config) {
    if (ctx.request.uri.indexOf(config.prefix) === 0) return ctx.redirect(config.login + '?next=' + encodeURIComponent(ctx.request.uri), 302);
  },
});
const bucket = defineMiddleware({
  name: 'bucket',
  needs: ['crypto:hash'],
  config: { cookie: 'uid', buckets: 4 },
  request(ctx, config) {
    const id = ctx.request.cookies.get(config.cookie) || ctx.viewer.ip;
    const digest = require('crypto').createHash('md5').update(id).digest('hex');
    ctx.request.headers.set('x-bucket', String(parseInt(digest.slice(0, 8), 16) % config.buckets));
    if (ctx.request.querystring.has('lang')) ctx.request.uri = '/' + ctx.request.querystring.get('lang') + ctx.request.uri;
  },
});
const originStamp = defineMiddleware({
  name: 'originStamp',
  needs: [],
  runsAt: { response: ['origin-response'] },
  response(ctx) {
    ctx.response.headers.set('x-origin-status', String(ctx.response.status));
    if (ctx.response.status === 404) ctx.response.headers.set('cache-control', 'max-age=10');
  },
});
const router = defineMiddleware({
  name: 'router',
  needs: ['origin'],
  runsAt: { request: ['origin-request'] },
  config: { api: 'api.example.org', bucket: 'assets-bucket', region: 'eu-west-1' },
  request(ctx, config) {
    const uri = ctx.request.uri;
    if (uri.indexOf('/api/') === 0) {
      ctx.setOrigin({ custom: { domainName: config.api, path: '/v1' } });
      ctx.request.uri = uri.slice(4);
    } else if (uri.indexOf('/assets/') === 0) {
      ctx.setOrigin({ s3: { bucket: config.bucket, region: config.region } });
    }
  },
});
const blocker = defineMiddleware({
  name: 'blocker',
  needs: [],
  runsAt: { request: ['origin-request'] },
  request(ctx) {
    if (ctx.request.uri.indexOf('/blocked') === 0) return ctx.respond({ status: 403, headers: { 'content-type': 'text/plain' }, body: 'blocked' });
  },
});
const bodyCheck = defineMiddleware({
  name: 'bodyCheck',
  needs: ['body'],
  config: { maxKeys: 3 },
  request(ctx, config) {
    const body = ctx.request.body;
    if (ctx.request.method !== 'POST' || !body) return;
    if (body.inputTruncated) return ctx.respond({ status: 413, body: 'too large' });
    const text = body.encoding === 'base64' ? Buffer.from(body.data, 'base64').toString('utf8') : body.data;
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      return ctx.respond({ status: 400, headers: { 'content-type': 'text/plain' }, body: 'invalid JSON' });
    }
    const keys = Object.keys(parsed);
    if (keys.length > config.maxKeys) return ctx.respond({ status: 422, body: 'too many keys' });
    ctx.request.headers.set('x-body-keys', keys.join(','));
  },
});

const viewerPipeline = edge().use(stamp).use(gate).use(bucket);
const originPipeline = edge().use(originStamp).use(router).use(blocker);
const bodyPipeline = edge().use(stamp).use(bodyCheck);

const viewerRequests: EventInit[] = [
  {}, { uri: '/a' }, { uri: '/private' }, { uri: '/private/x', querystring: 'a=1' }, { uri: '/p', cookies: { uid: 'user-1' } },
  { uri: '/p', cookies: { uid: 'ü-ñ' } }, { ip: '2001:db8::1' }, { uri: '/q', querystring: 'lang=de' }, { uri: '/q', querystring: 'lang=%zz&x=1&x=2' },
  { uri: '/ünïcödé' }, { headers: { 'X-Mixed': ['1', '2'] } }, { method: 'POST', uri: '/form' }, { country: 'DE', uri: '/' + 'a'.repeat(4000) },
];
const responses: EventInit[] = [
  { status: 200 }, { status: 404 }, { status: 500, responseHeaders: { 'x-served-by': 'origin' } },
  { status: 200, responseHeaders: { 'Set-Cookie': ['a=1; Secure', 'b=2'] } }, { status: 304, responseHeaders: { ETag: '"x"' } },
];
const originRequests: EventInit[] = [
  {}, { uri: '/api/users', querystring: 'page=2' }, { uri: '/assets/logo.png' }, { uri: '/blocked' }, { uri: '/blocked/deep' }, { uri: '/other', headers: { 'X-Mixed': ['1', '2'] } },
];
const b64 = (s: string) => Buffer.from(s).toString('base64');
const bodyRequests: EventInit[] = [
  {}, { method: 'POST', body: { data: b64('{"a":1,"b":2}') } }, { method: 'POST', body: { data: '{"x":true}', encoding: 'text' } },
  { method: 'POST', body: { data: b64('{"a":1'), inputTruncated: true } }, { method: 'POST', body: { data: b64('not json') } },
  { method: 'POST', body: { data: b64('{"a":1,"b":2,"c":3,"d":4}') } }, { method: 'POST' }, { method: 'GET', body: { data: b64('{"a":1}') } },
];

const events = (eventType: EventType, inits: EventInit[]) => inits.map((init) => lambdaEvent(eventType, init));

type LambdaPipeline = Pipeline<SupportedBy<'lambda'>>;

async function build(pipeline: LambdaPipeline, options: Partial<LambdaBuildOptions> = {}): Promise<Record<string, Artifact>> {
  const result = await buildLambda({ pipeline, ...options });
  if (!result.ok) throw new Error(JSON.stringify(result.violations, null, 2));
  return Object.fromEntries(result.artifacts.map((a) => [a.eventType, a]));
}

/** The artifact of each event's type, run in its own module, gives what the source gives in process. */
async function expectSameAsSource(pipeline: LambdaPipeline, table: LeEvent[], options: Partial<LambdaBuildOptions> = {}): Promise<void> {
  const artifacts = await build(pipeline, options);
  for (const event of table) {
    const eventType = eventTypeOf(event);
    const source = await runPipeline(pipeline, structuredClone(event));
    const label = `${eventType} ${JSON.stringify(event.Records[0].cf.request).slice(0, 160)}`;
    const artifact = artifacts[eventType];
    if (!artifact) {
      // No hook there: no function is attached, and the source run must change nothing.
      const cf = event.Records[0].cf;
      expect(source.raw, label).toEqual(eventType.endsWith('request') ? cf.request : cf.response);
      continue;
    }
    const raw = await runLambdaArtifact(artifact.code, event);
    expect(toOutcome(eventType, raw), label).toEqual({ ...source, raw });
  }
}

describe('buildLambda: artifacts give the same results as the source', () => {
  it('viewer pipeline: request and response hooks, an early redirect through an earlier response hook, md5', async () => {
    await expectSameAsSource(viewerPipeline, [
      ...events('viewer-request', viewerRequests), ...events('viewer-response', responses),
      ...events('origin-request', [{ uri: '/x' }]), ...events('origin-response', [{ status: 200 }]),
    ]);
  });

  it('origin pipeline: setOrigin at origin-request, an answer there through an origin-response hook', async () => {
    await expectSameAsSource(originPipeline, [
      ...events('origin-request', originRequests), ...events('origin-response', responses), ...events('viewer-request', [{ uri: '/api/x' }]),
    ]);
    const artifacts = await build(originPipeline);
    const raw = (await runLambdaArtifact(artifacts['origin-request'].code, lambdaEvent('origin-request', { uri: '/assets/a.css' }))) as LeRequest;
    expect(raw.origin).toMatchObject({ s3: { domainName: 'assets-bucket.s3.eu-west-1.amazonaws.com' } });
    expect(raw.headers.host).toEqual([{ key: 'Host', value: 'assets-bucket.s3.eu-west-1.amazonaws.com' }]);
  });

  it('body pipeline: reads ctx.request.body', async () => {
    await expectSameAsSource(bodyPipeline, [...events('viewer-request', bodyRequests), ...events('viewer-response', responses.slice(0, 2))]);
  });

  it('the same on nodejs22.x and unminified', async () => {
    await expectSameAsSource(viewerPipeline, events('viewer-request', viewerRequests.slice(0, 5)), { node: 'nodejs22.x', minify: false });
  });

  describe('network: fetch against a local server', () => {
    let server: Server;
    let url = '';
    beforeAll(async () => {
      server = createServer((req, res) => {
        const uri = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('uri') ?? '';
        const verdict = uri.indexOf('/deny') === 0 ? { allow: false, reason: 'denied by policy' } : { allow: true, tag: 'ok-' + uri.length };
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(verdict));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('awaits the call and answers from its result', async () => {
      const policy = defineMiddleware({
        name: 'policy',
        needs: ['network', 'async'],
        config: { url },
        async request(ctx, config) {
          const res = await fetch(config.url + '/check?uri=' + encodeURIComponent(ctx.request.uri));
          const verdict = (await res.json()) as { allow: boolean; reason?: string; tag?: string };
          if (!verdict.allow) return ctx.respond({ status: 403, headers: { 'content-type': 'text/plain' }, body: verdict.reason });
          ctx.request.headers.set('x-policy', String(verdict.tag));
        },
      });
      await expectSameAsSource(edge().use(stamp).use(policy), events('viewer-request', [{ uri: '/a' }, { uri: '/deny/x' }, { uri: '/ü?' }]));
    });
  });

  it('bundles what a hook requires from node_modules (jose), and nothing is left to require but Node', async () => {
    const hmac = defineMiddleware({
      name: 'hmacJwt',
      needs: ['async'],
      config: { secret: 'a-string-secret-at-least-256-bits-long' },
      async request(ctx, config) {
        const jose = require('jose');
        const token = (ctx.request.headers.get('authorization') || '').replace(/^Bearer /, '');
        try {
          const { payload } = await jose.jwtVerify(token, new TextEncoder().encode(config.secret));
          ctx.request.headers.set('x-user', String(payload.sub));
        } catch (e) {
          return ctx.respond({ status: 401, headers: { 'www-authenticate': 'Bearer' } });
        }
      },
    });
    const jose = await import('jose');
    const good = await new jose.SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('a-string-secret-at-least-256-bits-long'));
    const table = events('viewer-request', [{ headers: { Authorization: `Bearer ${good}` } }, { headers: { Authorization: 'Bearer x.y.z' } }, {}]);
    await expectSameAsSource(edge().use(hmac), table);
    const { 'viewer-request': artifact } = await build(edge().use(hmac));
    const required = [...artifact.code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(required.filter((m) => !isBuiltin(m))).toEqual([]);
    expect(artifact.external).toBeUndefined();
    const raw = (await runLambdaArtifact(artifact.code, table[0])) as LeRequest;
    expect(raw.headers['x-user']).toEqual([{ key: 'x-user', value: 'alice' }]);
  });
});

describe('buildLambda: errors in hooks', () => {
  const boom = defineMiddleware({
    name: 'boom',
    needs: [],
    request(ctx) {
      if (ctx.request.uri === '/boom') throw new Error('kaput');
    },
    response(ctx) {
      ctx.response.headers.set('x-before-boom', '1');
      if (ctx.request.uri === '/boom') throw new Error('kaput too');
    },
  });
  const auth = defineMiddleware({
    name: 'auth',
    needs: [],
    onError: { status: 401, headers: { 'www-authenticate': 'Basic realm="edge"' } },
    request(ctx) {
      const header = ctx.request.headers.get('authorization');
      if (!header) throw new Error('no credentials');
      ctx.request.headers.set('x-user', atob(header.replace(/^Basic /, '')).split(':')[0]);
    },
  });

  it('a hook that throws: 502 at a request trigger (through the response hooks before it), the response at a response trigger, logged with the request id', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const { 'viewer-request': artifact, 'viewer-response': response } = await build(edge().use(stamp).use(boom));
      const raw = (await runLambdaArtifact(artifact.code, lambdaEvent('viewer-request', { uri: '/boom', requestId: 'req-boom' }))) as LeResponse;
      expect(raw.status).toBe('502');
      expect(raw.headers['x-served-by']).toEqual([{ key: 'x-served-by', value: 'edgeline' }]);
      expect(errors.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/"middleware":"boom".*"requestId":"req-boom".*kaput/);
      const kept = (await runLambdaArtifact(response.code, lambdaEvent('viewer-response', { uri: '/boom', status: 200 }))) as LeResponse;
      // Response hooks run in reverse: boom's own change is kept, stamp (after it in that order) is skipped.
      expect(kept.status).toBe('200');
      expect(kept.headers['x-before-boom']).toEqual([{ key: 'x-before-boom', value: '1' }]);
      expect(kept.headers['x-served-by']).toBeUndefined();
    } finally {
      errors.mockRestore();
    }
  });

  it("a request hook that throws answers the middleware's onError (401)", async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const { 'viewer-request': artifact } = await build(edge().use(auth));
      const denied = (await runLambdaArtifact(artifact.code, lambdaEvent('viewer-request'))) as LeResponse;
      expect(denied).toMatchObject({ status: '401', headers: { 'www-authenticate': [{ value: 'Basic realm="edge"' }] } });
      const event = lambdaEvent('viewer-request', { headers: { Authorization: 'Basic ' + btoa('bob:pw') } });
      expect(toOutcome('viewer-request', await runLambdaArtifact(artifact.code, event))).toMatchObject({ kind: 'forward', request: { headers: { 'x-user': ['bob'] } } });
    } finally {
      errors.mockRestore();
    }
  });

  it('a malformed event gives 502 at a request trigger, not an exception', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const bad = { Records: [{ cf: { config: { eventType: 'viewer-request', requestId: 'req-bad' } } }] } as unknown as LeEvent;
      // With a context, building it fails before any middleware runs: 502.
      const generic = await buildLambda({ pipeline: edge().use(auth) as Pipeline<never>, direct: false });
      if (!generic.ok) throw new Error(JSON.stringify(generic.violations));
      expect(await runLambdaArtifact(generic.artifacts[0].code, structuredClone(bad))).toMatchObject({ status: '502' });
      // Rewritten to read the event itself, the auth hook is the one that fails: it denies.
      const { 'viewer-request': artifact } = await build(edge().use(auth));
      expect(await runLambdaArtifact(artifact.code, bad)).toMatchObject({ status: '401' });
      expect(errors).toHaveBeenCalled();
    } finally {
      errors.mockRestore();
    }
  });
});

describe('buildLambda: deadline', () => {
  const slow = defineMiddleware({
    name: 'slow',
    needs: ['async'],
    async request(ctx) {
      if (ctx.request.uri === '/slow') await new Promise(() => {});
      ctx.request.headers.set('x-fast', '1');
    },
    async response(ctx) {
      ctx.response.headers.set('x-touched', '1');
      if (ctx.request.uri === '/slow') await new Promise(() => {});
    },
  });

  it('is left out of artifacts whose hooks never await (no timer could fire before they end)', async () => {
    const quick = defineMiddleware({ name: 'quick', needs: [], request(ctx) { ctx.request.headers.set('x-q', '1'); } });
    const [sync, async] = [await build(edge().use(quick)), await build(edge().use(slow), { deadlineMs: 20 })];
    expect(sync['viewer-request'].code).not.toMatch(/deadline exceeded|setTimeout|await/);
    expect(async['viewer-request'].code).toMatch(/deadline exceeded/);
  });

  it('answers 504 at a request trigger and the response unchanged at a response trigger, with the request id logged', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const artifacts = await build(edge().use(slow), { deadlineMs: 20 });
      const late = (await runLambdaArtifact(artifacts['viewer-request'].code, lambdaEvent('viewer-request', { uri: '/slow', requestId: 'req-slow' }))) as LeResponse;
      expect(late.status).toBe('504');
      expect(String(errors.mock.calls[0][0])).toMatch(/"edgeline":"deadline exceeded".*"requestId":"req-slow"/);
      const fast = await runLambdaArtifact(artifacts['viewer-request'].code, lambdaEvent('viewer-request', { uri: '/fast' }));
      expect(toOutcome('viewer-request', fast)).toMatchObject({ kind: 'forward', request: { headers: { 'x-fast': ['1'] } } });
      const event = lambdaEvent('viewer-response', { uri: '/slow', status: 404, responseHeaders: { 'X-A': ['1', '2'] } });
      const unchanged = await runLambdaArtifact(artifacts['viewer-response'].code, event);
      expect(unchanged).toEqual(event.Records[0].cf.response);
      const touched = (await runLambdaArtifact(artifacts['viewer-response'].code, lambdaEvent('viewer-response', { uri: '/fast' }))) as LeResponse;
      expect(touched.headers['x-touched']).toBeDefined();
    } finally {
      errors.mockRestore();
    }
  });

  it('is only armed where a hook awaits', async () => {
    const artifacts = await build(viewerPipeline);
    expect(artifacts['viewer-request'].code).toMatch(/deadlineMs:0\b/);
    const timed = await build(edge().use(slow));
    expect(timed['viewer-request'].code).toMatch(/deadlineMs:4500\b/);
    const origin = await build(edge().use(defineMiddleware({ name: 'o', needs: ['async'], runsAt: { request: ['origin-request'] }, async request() {} })));
    expect(origin['origin-request'].code).toMatch(/deadlineMs:29e3\b/);
  });
});

describe('buildLambda: artifacts and manifest', () => {
  it('one CommonJS file per event type with exports.handler = async (event, context)', async () => {
    const artifacts = await build(viewerPipeline);
    expect(Object.keys(artifacts).sort()).toEqual(['viewer-request', 'viewer-response']);
    for (const a of Object.values(artifacts)) {
      expect(a.file).toBe(`${a.eventType}/index.js`);
      expect(a.code).toMatch(/exports\.handler=/);
      expect(a.code).not.toMatch(/\bexport\s*[{*]|import\s*[{*]|\bprocess\.env\b/);
      const module = { exports: {} as { handler?: unknown } };
      new Function('exports', 'require', 'module', a.code)(module.exports, createRequire(import.meta.url), module);
      const handler = module.exports.handler as (...args: unknown[]) => unknown;
      expect(handler.constructor.name).toBe('AsyncFunction');
      expect(handler.length).toBe(2);
    }
  });

  it('fills the manifest: runtime, sizes against the trigger limit, middleware, capabilities, includeBody', async () => {
    const result = await buildLambda({ pipeline: bodyPipeline.use(router), node: 'nodejs22.x' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const manifest = JSON.parse(JSON.stringify(manifestOf(result, 'edge.ts'))) as { target: string; artifacts: Record<string, unknown>[] };
    expect(manifest.target).toBe('lambda');
    const byEvent = Object.fromEntries(manifest.artifacts.map((a) => [a.eventType, a]));
    expect(Object.keys(byEvent)).toEqual(['viewer-request', 'origin-request', 'viewer-response']);
    expect(byEvent['viewer-request']).toMatchObject({
      runtime: 'nodejs22.x', file: 'viewer-request/index.js', zipFile: 'viewer-request.zip', limitBytes: 1048576,
      middleware: ['bodyCheck', 'stamp'], includeBody: true,
    });
    expect(byEvent['viewer-request'].capabilities).toEqual(expect.arrayContaining(['viewer-request', 'body']));
    expect(byEvent['origin-request']).toMatchObject({ limitBytes: 52428800, middleware: ['router'], includeBody: false, capabilities: ['origin-request', 'origin'] });
    expect(byEvent['viewer-response']).toMatchObject({ middleware: ['stamp'], includeBody: false });
    for (const a of result.artifacts) {
      expect(a.bytes).toBe(Buffer.byteLength(a.code));
      expect(a.zippedBytes).toBe(a.zip!.length);
      expect(a.zippedBytes).toBeLessThan(a.bytes);
      expect(byEvent[a.eventType]).not.toHaveProperty('code');
      expect(byEvent[a.eventType]).not.toHaveProperty('zip');
    }
  });

  it('leaves @aws-sdk/* to the runtime, only when used, and lists it', async () => {
    const s3 = defineMiddleware({
      name: 's3Lookup',
      needs: [],
      request(ctx) {
        if (ctx.request.uri === '/never') ctx.request.headers.set('x-sdk', typeof require('@aws-sdk/client-s3').S3Client);
      },
    });
    const artifacts = await build(edge().use(s3));
    expect(artifacts['viewer-request'].external).toEqual(['@aws-sdk/client-s3']);
    expect(artifacts['viewer-request'].code).toContain('require("@aws-sdk/client-s3")');
    expect(toOutcome('viewer-request', await runLambdaArtifact(artifacts['viewer-request'].code, lambdaEvent('viewer-request')))).toMatchObject({ kind: 'forward' });
  });
});
