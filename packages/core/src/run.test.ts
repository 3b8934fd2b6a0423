import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { defineMiddleware, edge, HeaderGuardError, CODES } from './index.js';
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
});
