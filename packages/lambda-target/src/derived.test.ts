import { describe, expect, it, vi } from 'vitest';
import { defineMiddleware, deriveHooks, edge, toOutcome, type EventType, type Pipeline } from '@edgeline/core';
import { lambdaEvent, runPipeline, type EventInit } from '@edgeline/core/testing';
import type { LeEvent } from '@edgeline/core/runtime';
import { buildLambda, runLambdaArtifact } from './index.js';

// User middleware whose hooks use what the lambda build rewrites into direct event access
// (core lower/derive.ts): each artifact must give what the source gives in process.

const reader = defineMiddleware({
  name: 'reader',
  needs: [],
  config: { prefix: 'x-r-', list: ['a', 'b'] },
  request(ctx, config) {
    const dyn = 'X-' + 'Dyn';
    ctx.request.headers.set(config.prefix + 'ua', ctx.request.headers.get('User-Agent') || 'none');
    ctx.request.headers.set('X-R-Has', String(ctx.request.headers.has('accept')) + String(ctx.request.headers.has(dyn)));
    ctx.request.headers.set('x-r-all', ctx.request.headers.getAll('x-multi').join('|'));
    ctx.request.headers.append('X-Multi', 'added');
    ctx.request.headers.set('Accept', 'text/plain');
    ctx.request.headers.delete('x-remove');
    ctx.request.headers.set('x-r-names', String(ctx.request.headers.names().length));
    ctx.request.headers.set('x-r-q', [ctx.request.querystring.get('q'), ctx.request.querystring.has('r'), ctx.request.querystring.getAll('r').join(','), ctx.request.querystring.names().join(','), ctx.request.querystring.toString()].join(';'));
    ctx.request.headers.set('x-r-c', (ctx.request.cookies.get('uid') || '') + '/' + ctx.request.cookies.getAll('multi').join(',') + '/' + ctx.request.cookies.names().length);
    ctx.request.headers.set('x-r-v', ctx.viewer.ip + '|' + (ctx.viewer.country || '?') + '|' + ctx.eventType + '|' + ctx.request.method + '|' + ctx.requestId);
    ctx.request.headers.set('x-r-cfg', config.list.join(''));
    if (ctx.request.uri.slice(-1) === '/') ctx.request.uri += 'index.html';
  },
});

const answers = defineMiddleware({
  name: 'answers',
  needs: [],
  config: { status: 307 },
  request(ctx, config) {
    const uri = ctx.request.uri;
    if (uri === '/teapot') return ctx.respond({ status: 418, statusDescription: "I'm a teapot", headers: { 'Content-Type': 'text/plain', 'X-Tea': uri }, body: 'short and stout' });
    if (uri === '/built') {
      const init = { status: 200, headers: { 'Set-Cookie': 'built=1; Secure', 'x-built': 'yes' } as Record<string, string> };
      return ctx.respond(init);
    }
    if (uri === '/moved') return ctx.redirect('/new' + uri, config.status as 307);
    if (uri === '/default') return ctx.redirect('/d');
    return undefined;
  },
  response(ctx) {
    ctx.response.headers.set('x-status-seen', String(ctx.response.status) + (ctx.response.statusDescription || ''));
    if (ctx.response.status === 418) ctx.response.status = 200;
    if (ctx.response.headers.has('x-origin')) ctx.response.headers.set('x-origin-was', ctx.response.headers.get('X-Origin') || '');
    ctx.response.headers.delete('x-origin');
    ctx.response.headers.append('Set-Cookie', 'seen=1; Path=/');
    ctx.response.headers.set('x-viewer', ctx.viewer.ip + ctx.request.uri);
  },
});

const requests: EventInit[] = [
  { uri: '/', headers: { 'User-Agent': 'curl/8', Accept: '*/*', 'x-multi': ['1', '2'], 'x-remove': 'r', 'X-Dyn': 'd' } },
  { uri: '/docs/', querystring: 'q=a%20b&r=1&r=2&&drop', cookies: { uid: 'u-1', multi: ['m1', 'm2'] }, country: 'DE' },
  { uri: '/q', querystring: 'q=%zz&r', ip: '2001:db8::1' },
  { uri: '/teapot', method: 'POST' },
  { uri: '/built' },
  { uri: '/moved', querystring: 'a=1' },
  { uri: '/default' },
];
const responses: EventInit[] = [200, 404, 418].map((status) => ({ uri: '/p/', status, statusDescription: status === 404 ? 'Not Found' : undefined, responseHeaders: { 'X-Origin': 'o', 'Set-Cookie': ['a=1; Secure', 'seen=0'] } }));

async function expectSameAsSource(p: Pipeline<never>, cases: [EventType, EventInit][]): Promise<void> {
  const result = await buildLambda({ pipeline: p });
  if (!result.ok) throw new Error(JSON.stringify(result.violations));
  for (const [eventType, init] of cases) {
    const artifact = result.artifacts.find((a) => a.eventType === eventType);
    if (!artifact) continue;
    const event = lambdaEvent(eventType, init) as LeEvent;
    const source = await runPipeline(p, structuredClone(event));
    const raw = await runLambdaArtifact(artifact.code, structuredClone(event));
    expect(toOutcome(eventType, raw), `${eventType} ${init.uri}`).toEqual({ ...source, raw });
  }
}

describe('user hooks rewritten to direct Lambda@Edge event access', () => {
  it('are derived for every hook here', () => {
    for (const m of [reader, answers]) {
      const d = deriveHooks(m, 'lambda')!;
      if (m.request) expect(d.request, `${m.name} request`).toBeDefined();
      if (m.response) expect(d.response, `${m.name} response`).toBeDefined();
    }
  });

  it('write header calls with a literal name at the call site, and keep helpers for names known at run time', () => {
    const d = deriveHooks(reader, 'lambda')!;
    expect(d.request).toContain('__r.headers["x-r-has"] = [{ key:');
    expect(d.request).toMatch(/__edge_lhas\(__r\.headers, null, dyn\)/);
    expect(d.request!.match(/__edge_lset\(/g)).toHaveLength(1); // config.prefix + 'ua': known only at run time
  });

  it('give what the source gives, at viewer and origin triggers', async () => {
    const cases = (req: EventType, res: EventType): [EventType, EventInit][] =>
      [...requests.map((r): [EventType, EventInit] => [req, r]), ...responses.map((r): [EventType, EventInit] => [res, r])];
    await expectSameAsSource(edge().use(answers).use(reader) as Pipeline<never>, cases('viewer-request', 'viewer-response'));
    const atOrigin = (m: typeof reader | typeof answers) => defineMiddleware({ ...m, runsAt: { request: ['origin-request'], response: ['origin-response'] } });
    await expectSameAsSource(edge().use(atOrigin(answers)).use(atOrigin(reader)) as Pipeline<never>, cases('origin-request', 'origin-response'));
  });

  it('change the origin at origin-request as the context does (origin object and Host header)', async () => {
    const route = defineMiddleware({
      name: 'route',
      needs: ['origin'],
      runsAt: { request: ['origin-request'] },
      request(ctx) {
        if (ctx.request.uri.indexOf('/s3/') === 0) ctx.setOrigin({ s3: { bucket: 'assets-eu', region: 'eu-central-1', path: '/v2' } });
        else if (ctx.request.uri.indexOf('/api/') === 0) ctx.setOrigin({ custom: { domainName: 'api.example.com', protocol: 'http', port: 8080, path: '/v1' } });
        else ctx.setOrigin({ custom: { domainName: 'www.example.com' } });
      },
    });
    expect(deriveHooks(route, 'lambda')?.request).toContain('__edge_lorigin(');
    await expectSameAsSource(edge().use(route) as Pipeline<never>, ['/s3/a.png', '/api/x', '/'].map((uri): [EventType, EventInit] => ['origin-request', { uri, headers: { Host: 'd111.cloudfront.net' } }]));
  });

  it('log a hook that throws with the request id, and answer 502', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const boom = defineMiddleware({ name: 'boom', needs: [], request(ctx) { if (ctx.request.uri === '/boom') throw new Error('boom'); } });
      const result = await buildLambda({ pipeline: edge().use(answers).use(boom) as Pipeline<never> });
      if (!result.ok) throw new Error(JSON.stringify(result.violations));
      const raw = await runLambdaArtifact(result.artifacts.find((a) => a.eventType === 'viewer-request')!.code, lambdaEvent('viewer-request', { uri: '/boom', requestId: 'req-1' }) as LeEvent);
      expect(raw).toMatchObject({ status: '502', headers: { 'x-status-seen': [{ value: '502' }] } });
      expect(String(errors.mock.calls[0][0])).toMatch(/"middleware":"boom".*"requestId":"req-1"/);
    } finally {
      errors.mockRestore();
    }
  });

  it('change the query string as the context does: written back once changed, the raw string kept until then', async () => {
    const edit = defineMiddleware({
      name: 'edit',
      needs: [],
      request(ctx) {
        const q = ctx.request.querystring;
        q.delete('missing'); // no change: the raw string stays as it came
        ctx.request.headers.set('x-before', q.toString());
        if (q.has('utm_source')) q.delete('utm_source');
        if (q.get('lang') === 'de') q.set('lang', 'de-DE');
        if (ctx.request.uri === '/tag') q.append('tag', 'a b');
        ctx.request.headers.set('x-after', q.toString());
        if (ctx.request.uri === '/answer') return ctx.respond({ status: 200, body: 'ok' });
        return undefined;
      },
    });
    const reads = defineMiddleware({
      name: 'reads',
      needs: [],
      request(ctx) { ctx.request.headers.set('x-next', ctx.request.querystring.toString() + '|' + (ctx.request.querystring.get('lang') || '')); },
      response(ctx) { ctx.response.headers.set('x-seen-query', ctx.request.querystring.toString()); },
    });
    expect(deriveHooks(edit, 'lambda')?.request).toContain('__edge_lqd');
    const p = edge().use(reads).use(edit).use(reads) as Pipeline<never>;
    const queries = ['', 'a=1&&b', 'utm_source=x&lang=de&z', 'lang=fr&missing', 'tag=1'];
    const cases = queries.flatMap((querystring) => ['/', '/tag', '/answer'].map((uri): [EventType, EventInit] => ['viewer-request', { uri, querystring }]));
    await expectSameAsSource(p, cases);
  });
  it('hand the query string over as text when setString is the hook\'s last act, after changes of its own', async () => {
    const replace = defineMiddleware({
      name: 'replace',
      needs: [],
      request(ctx) {
        const q = ctx.request.querystring;
        if (q.has('drop')) q.delete('drop');
        const text = q.toString();
        if (!text) return;
        q.setString(text.split('&').sort().join('&'));
      },
    });
    const reads = defineMiddleware({ name: 'reads', needs: [], request(ctx) { ctx.request.headers.set('x-q', ctx.request.querystring.toString() + '|' + (ctx.request.querystring.get('a') || '')); } });
    const code = deriveHooks(replace, 'lambda')?.request;
    expect(code).toContain('__edge_lqd = false, __r.querystring = String(');
    const p = edge().use(replace).use(reads) as Pipeline<never>;
    const queries = ['', 'b=2&a=1', 'drop=1&c&a=3', 'drop=x'];
    await expectSameAsSource(p, queries.map((querystring): [EventType, EventInit] => ['viewer-request', { uri: '/', querystring }]));
  });
  it('read one cookie of a literal name from the Cookie headers as the parsed map does', async () => {
    const one = defineMiddleware({
      name: 'one',
      needs: [],
      request(ctx) {
        const id = ctx.request.cookies.get('id');
        ctx.request.headers.set('x-id', id === undefined ? '-' : '[' + id + ']');
        ctx.request.headers.set('x-has', String(ctx.request.cookies.get('flag') !== undefined) + String(ctx.request.cookies.get('valueOf')));
      },
    });
    const code = deriveHooks(one, 'lambda')?.request;
    expect(code).toContain('__edge_lck(__r.headers, "id")');
    expect(code).not.toContain('__edge_pairs');
    const cookies: (string | string[] | undefined)[] = [
      undefined, 'id=1', 'a=1; id=2; id=3', ' id = 4 ;id=5', 'idx=1;xid=2', 'id', 'id=;flag', ';;  ;id=a=b',
      ['a=1', 'id=6; flag=1'], ['id=7', 'id=8'], 'flag=; valueOf=1', '\tid=9\t', 'ID=10',
    ];
    const cases = cookies.map((c): [EventType, EventInit] => ['viewer-request', { uri: '/', headers: c === undefined ? {} : { Cookie: c } }]);
    await expectSameAsSource(edge().use(one) as Pipeline<never>, cases);
  });
});
