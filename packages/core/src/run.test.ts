import { describe, expect, it, vi } from 'vitest';
import { createHash } from 'node:crypto';
import { defineMiddleware, edge, HeaderGuardError, CODES, DEFAULT_CF_RUNTIME } from './index.js';
import { eventFor, lambdaEvent, runPipeline, viewerRequest, viewerResponse } from './testing/index.js';

// A pipeline written the way a user writes one: a response hook, and a request hook that answers early.
const stamp = defineMiddleware({
  name: 'stamp',
  needs: [],
  config: { value: 'edgeline' },
  response(ctx, config) {
    ctx.response.headers.set('x-stamp', config.value);
    ctx.response.headers.append('set-cookie', 'seen=1; Path=/');
  },
});
const gate = defineMiddleware({
  name: 'gate',
  needs: ['crypto:hash'],
  config: { path: '/private' },
  request(ctx, config) {
    if (ctx.request.uri.indexOf(config.path) === 0) return ctx.redirect('/login', 302);
    const crypto = require('crypto');
    ctx.request.headers.set('x-ip-hash', crypto.createHash('md5').update(ctx.viewer.ip).digest('hex'));
  },
});
const order: string[] = [];
const trace = (name: string) =>
  defineMiddleware({
    name,
    needs: [],
    config: name,
    request(ctx, n) { ctx.request.headers.append('x-order', 'req:' + n); },
    response(ctx, n) { ctx.response.headers.append('x-order', 'res:' + n); },
  });
const pipeline = edge().use(stamp).use(gate);

describe('pipeline run in process', () => {
  for (const shape of ['cff', 'lambda'] as const) {
    describe(shape, () => {
      it('forwards the request with the hook changes', async () => {
        const out = await runPipeline(pipeline, eventFor(shape, 'viewer-request', { uri: '/public', ip: '203.0.113.9' }));
        expect(out.kind).toBe('forward');
        if (out.kind !== 'forward') return;
        expect(out.request.headers['x-ip-hash']).toEqual([createHash('md5').update('203.0.113.9').digest('hex')]);
      });

      it('passes an early answer through the response hooks of the middleware before it', async () => {
        const out = await runPipeline(pipeline, eventFor(shape, 'viewer-request', { uri: '/private/x' }));
        expect(out.kind).toBe('respond');
        if (out.kind !== 'respond') return;
        expect(out.response.status).toBe(302);
        expect(out.response.headers.location).toEqual(['/login']);
        expect(out.response.headers['x-stamp']).toEqual(['edgeline']);
        expect(out.response.headers['set-cookie']).toEqual(['seen=1; Path=/']);
      });

      it('runs request hooks in order and response hooks in reverse (onion)', async () => {
        const p = edge().use(trace('a')).use(trace('b'));
        const req = await runPipeline(p, eventFor(shape, 'viewer-request'));
        expect(req.kind === 'forward' && req.request.headers['x-order']).toEqual(['req:a', 'req:b']);
        const res = await runPipeline(p, eventFor(shape, 'viewer-response'));
        expect(res.kind === 'response' && res.response.headers['x-order']).toEqual(['res:b', 'res:a']);
      });

      it('keeps two Set-Cookie values apart', async () => {
        const out = await runPipeline(stamp, eventFor(shape, 'viewer-response', { responseHeaders: { 'Set-Cookie': ['a=1; Secure', 'b=2'] } }));
        expect(out.kind === 'response' && out.response.headers['set-cookie']).toEqual(['a=1; Secure', 'b=2', 'seen=1; Path=/']);
      });

      it('keeps repeated query keys', async () => {
        const echo = defineMiddleware({
          name: 'echo',
          needs: [],
          request(ctx) {
            ctx.request.headers.set('x-all-a', ctx.request.querystring.getAll('a').join(','));
            ctx.request.querystring.append('a', '3');
          },
        });
        const out = await runPipeline(echo, eventFor(shape, 'viewer-request', { querystring: 'a=1&b=x&a=2' }));
        expect(out.kind).toBe('forward');
        if (out.kind !== 'forward') return;
        expect(out.request.headers['x-all-a']).toEqual(['1,2']);
        expect(out.request.querystring.split('&').filter((p) => p.startsWith('a='))).toEqual(['a=1', 'a=2', 'a=3']);
      });

      it('throws the guard error when a hook touches a read-only header', async () => {
        const bad = defineMiddleware({ name: 'bad', needs: [], request(ctx) { ctx.request.headers.set('Host', 'evil.example'); } });
        await expect(runPipeline(bad, eventFor(shape, 'viewer-request'))).rejects.toBeInstanceOf(HeaderGuardError);
        const crlf = defineMiddleware({ name: 'crlf', needs: [], request(ctx) { ctx.request.headers.set('x-a', 'a\r\nx-b: 1'); } });
        await expect(runPipeline(crlf, eventFor(shape, 'viewer-request'))).rejects.toMatchObject({ code: CODES.headerGuard });
      });
    });
  }

  it('keeps mixed-case Lambda@Edge header keys', async () => {
    const touch = defineMiddleware({ name: 'touch', needs: [], request(ctx) { ctx.request.headers.set('x-custom-header', 'new'); ctx.request.headers.append('X-Added', '1'); } });
    const out = await runPipeline(touch, lambdaEvent('viewer-request', { headers: { 'X-Custom-Header': 'old', 'User-Agent': 'test' } }));
    const raw = out.raw as { headers: Record<string, { key: string; value: string }[]> };
    expect(raw.headers['x-custom-header']).toEqual([{ key: 'X-Custom-Header', value: 'new' }]);
    expect(raw.headers['user-agent']).toEqual([{ key: 'User-Agent', value: 'test' }]);
    expect(raw.headers['x-added']).toEqual([{ key: 'X-Added', value: '1' }]);
  });

  it('refuses a hook that closes over a variable, naming the middleware', async () => {
    const secret = 'x';
    const leaky = defineMiddleware({ name: 'leaky', needs: [], request(ctx) { ctx.request.headers.set('x-s', secret); } });
    await expect(runPipeline(leaky, viewerRequest())).rejects.toMatchObject({ code: CODES.notPortable, middleware: 'leaky' });
  });

  it('refuses to run a pipeline its target cannot place', async () => {
    const needsBody = defineMiddleware({ name: 'needsBody', needs: ['body'], request() {} });
    await expect(runPipeline(needsBody, viewerRequest())).rejects.toMatchObject({ code: CODES.rejected });
  });

  it('leaves an event no middleware touches as it was', async () => {
    const idle = edge().use(defineMiddleware({ name: 'idle', needs: [], request() {}, response() {} }));
    for (const event of [
      viewerRequest({ uri: '/a', querystring: 'x=1&x=2&y', headers: { Accept: 'text/html' }, cookies: { s: ['1', '2'] }, country: 'DE' }),
      viewerResponse({ responseHeaders: { 'Set-Cookie': ['a=1', 'a=2; Path=/'], 'Content-Type': 'text/html' } }),
      lambdaEvent('viewer-request', { uri: '/a', querystring: 'x=1&x=%zz&y', headers: { 'X-Mixed-Case': ['1', '2'] }, cookies: { s: '1' } }),
      lambdaEvent('origin-request', { body: { data: 'aGk=' } }),
      lambdaEvent('origin-response', { status: 404, responseHeaders: { 'Set-Cookie': ['a=1', 'b=2'] } }),
      lambdaEvent('viewer-response', { status: 200 }),
    ]) {
      const before = structuredClone(event);
      const out = await runPipeline(idle, event);
      const expected = 'Records' in before
        ? (before.Records[0].cf.response ?? before.Records[0].cf.request)
        : (before.response ?? before.request);
      expect(out.raw).toEqual(expected);
    }
  });

  it('leaves the event passed in unchanged', async () => {
    const touchAll = edge().use(stamp).use(gate).use(defineMiddleware({
      name: 'rewrite', needs: [],
      request(ctx) { ctx.request.uri = '/rewritten'; ctx.request.querystring.set('q', '1'); ctx.request.headers.set('x-c', '1'); },
    }));
    for (const event of [
      viewerRequest({ uri: '/a', querystring: 'x=1', cookies: { s: '1' } }),
      viewerRequest({ uri: '/private/x' }),
      viewerResponse({ responseHeaders: { 'Set-Cookie': 'a=1' } }),
      lambdaEvent('viewer-request', { uri: '/a', querystring: 'x=1' }),
      lambdaEvent('viewer-response', { status: 404 }),
    ]) {
      const before = structuredClone(event);
      await runPipeline(touchAll, event);
      expect(event).toEqual(before);
    }
  });
});

describe('a hook that throws, answered as the artifact answers', () => {
  const boom = (name: string, onError?: { status: number; body?: string }) =>
    defineMiddleware({
      name, needs: [], onError,
      request(ctx) { if (ctx.request.uri === '/boom') throw new Error('kaput'); },
      response(ctx) { if (ctx.request.uri === '/boom-late') throw new Error('late'); ctx.response.headers.set('x-' + ctx.eventType, 'ran'); },
    });
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);

  for (const shape of ['cff', 'lambda'] as const) {
    describe(shape, () => {
      it('answers 502 and logs a line naming the middleware', async () => {
        lines.length = 0;
        const out = await runPipeline(boom('fragile'), eventFor(shape, 'viewer-request', { uri: '/boom' }), { log });
        expect(out.kind === 'respond' && out.response.status).toBe(502);
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain('fragile');
        expect(lines[0]).toContain('kaput');
      });

      it("answers with the middleware's onError, through the response hooks before it", async () => {
        const p = edge().use(stamp).use(boom('guarded', { status: 503, body: 'later' }));
        const out = await runPipeline(p, eventFor(shape, 'viewer-request', { uri: '/boom' }), { log });
        expect(out.kind).toBe('respond');
        if (out.kind !== 'respond') return;
        expect(out.response.status).toBe(503);
        expect(out.response.body).toBe('later');
        expect(out.response.headers['x-stamp']).toEqual(['edgeline']);
        // guarded's own response hook is after it: not run on its answer.
        expect(out.response.headers['x-viewer-response']).toBeUndefined();
      });

      it('uses the onError of the middleware that threw, not of another', async () => {
        const p = edge().use(boom('first', { status: 401 })).use(boom('second'));
        const out = await runPipeline(p, eventFor(shape, 'viewer-request', { uri: '/boom' }), { log });
        expect(out.kind === 'respond' && out.response.status).toBe(401);
      });

      it('lets the response go on with the changes made before a response hook threw', async () => {
        lines.length = 0;
        const p = edge().use(boom('outer')).use(boom('inner')).use(stamp);
        const out = await runPipeline(p, eventFor(shape, 'viewer-response', { uri: '/boom-late', status: 200 }), { log });
        expect(out.kind).toBe('response');
        if (out.kind !== 'response') return;
        expect(out.response.status).toBe(200);
        expect(out.response.headers['x-stamp']).toEqual(['edgeline']);
        expect(lines.length).toBe(1);
        expect(lines[0]).toContain('inner');
      });

      it('rethrows with { rethrow: true }', async () => {
        await expect(runPipeline(boom('fragile'), eventFor(shape, 'viewer-request', { uri: '/boom' }), { rethrow: true })).rejects.toThrow('kaput');
        await expect(runPipeline(boom('fragile'), eventFor(shape, 'viewer-response', { uri: '/boom-late' }), { rethrow: true })).rejects.toThrow('late');
      });
    });
  }

  it('logs as the artifact: console.log on CloudFront Functions, console.error (JSON with the request id) on Lambda@Edge', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      await runPipeline(boom('fragile'), viewerRequest({ uri: '/boom' }));
      expect(log.mock.calls).toEqual([['edgeline: middleware fragile failed: Error: kaput']]);
      await runPipeline(boom('fragile'), lambdaEvent('viewer-request', { uri: '/boom', requestId: 'r-9' }));
      const line = JSON.parse(error.mock.calls[0][0] as string);
      expect(line).toMatchObject({ edgeline: 'middleware error', middleware: 'fragile', eventType: 'viewer-request', requestId: 'r-9' });
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  });
});

describe('default runtime', () => {
  const store = defineMiddleware({ name: 'store', needs: ['kvs', 'async'], async request(ctx) { ctx.request.headers.set('x-v', (await ctx.kvs('k')) ?? ''); } });

  it(`runs CloudFront Functions events on ${DEFAULT_CF_RUNTIME}, as edge build --target cf does`, async () => {
    expect(DEFAULT_CF_RUNTIME).toBe('cloudfront-js-2.0');
    const out = await runPipeline(store, viewerRequest(), { kvs: { k: 'v' } });
    expect(out.kind === 'forward' && out.request.headers['x-v']).toEqual(['v']);
    const err = await runPipeline(store, viewerRequest(), { target: 'cloudfront-js-1.0', kvs: { k: 'v' } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: CODES.rejected });
  });
});

describe('what the build refuses, runPipeline refuses', () => {
  it('a hook using a capability its middleware does not declare', async () => {
    const sneaky = defineMiddleware({ name: 'sneaky', needs: [], async request(ctx) { ctx.request.headers.set('x-a', String(await Promise.resolve(1))); } });
    const err = await runPipeline(sneaky, lambdaEvent('viewer-request')).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: CODES.rejected });
    expect(String((err as Error).message)).toContain("sneaky: its request hook uses");
  });
});
