import { describe, expect, it } from 'vitest';
import { inlineChain, mergeSameAnswers, shareMember } from './inline-chain.js';

/** Runs handler code made of a chain on a request, as the generated handler does. */
function run(chain: string, request: Record<string, unknown>, event: Record<string, unknown> = {}): unknown {
  return new Function('request', 'event', `var a;\n${chain}\nreturn request;`)(request, event);
}

describe('inlineChain', () => {
  it('writes request hooks one after another: going on is falling through, answers return', () => {
    const chain = inlineChain([
      { source: 'function (__r, __e) { __r.headers.a = 1; return __r; }' },
      { source: 'function (__r) { if (__r.uri === "/no") return { status: 403 }; return __r; }', through: ['s(a)'] },
      { source: 'function (__r) { var h = __r.headers; h.b = 2; return __r; }' },
    ], 'request')!;
    expect(chain).not.toMatch(/function/);
    expect(chain).toContain('return (a = { status: 403 }, s(a), a);');
    const seen: unknown[] = [];
    const withS = (c: string) => c.replace(/s\(a\)/g, 'seen.push(a)');
    const exec = (req: Record<string, unknown>) => new Function('request', 'event', 'seen', `var a;\n${withS(chain)}\nreturn request;`)(req, {}, seen);
    expect(exec({ uri: '/', headers: {} })).toEqual({ uri: '/', headers: { a: 1, b: 2 } });
    expect(exec({ uri: '/no', headers: {} })).toEqual({ status: 403 });
    expect(seen).toEqual([{ status: 403 }]);
  });

  it('keeps each hook\'s names to itself (same names in two hooks, an uninitialised var)', () => {
    const hook = 'function (__r) { var n; if (!n) n = 0; n++; __r.count = (__r.count || 0) + n; var o = { n }; __r.o = o; return __r; }';
    const chain = inlineChain([{ source: hook }, { source: hook }], 'request')!;
    expect(run(chain, {})).toEqual({ count: 2, o: { n: 1 } });
    expect(chain).toContain('{ n: n__1 }');
  });

  it('a return in the middle that may be the request or an answer', () => {
    const chain = inlineChain([
      { source: 'function (__r) { if (__r.x) { return __r.x > 1 ? { big: true } : __r; } __r.y = 1; return __r; }' },
      { source: 'function (__r) { __r.z = 1; return __r; }' },
    ], 'request')!;
    expect(run(chain, { x: 2 })).toEqual({ big: true });
    expect(run(chain, { x: 1 })).toEqual({ x: 1, z: 1 });
    expect(run(chain, {})).toEqual({ y: 1, z: 1 });
  });

  it('response hooks in order, with the request as second parameter', () => {
    const chain = inlineChain([
      { source: 'function (__s, __r) { __s.headers.a = __r.uri; }' },
      { source: 'function (s) { s.headers.b = 2; }' },
    ], 'response')!;
    const response = { headers: {} as Record<string, unknown> };
    new Function('response', 'request', `${chain}`)(response, { uri: '/u' });
    expect(response.headers).toEqual({ a: '/u', b: 2 });
  });

  it('a response hook that stops early (return;) goes on to the next one', () => {
    const chain = inlineChain([
      { source: 'function (__s) { if (__s.status > 399) return; __s.headers.a = 1; }' },
      { source: 'function (__s) { __s.headers.b = 2; }' },
    ], 'response')!;
    for (const status of [200, 404]) {
      const response = { status, headers: {} as Record<string, number> };
      new Function('response', 'request', chain)(response, {});
      expect(response.headers).toEqual(status === 200 ? { a: 1, b: 2 } : { b: 2 });
    }
  });

  it('nested functions keep their own names and see the renamed ones', () => {
    const chain = inlineChain([{ source: 'function (__r) { var k = 2; __r.list = [1, 2].map(function (x) { var k2 = x * k; return k2; }); return __r; }' }], 'request')!;
    expect(run(chain, {})).toEqual({ list: [2, 4] });
  });

  it('refuses what one body would change: this, arguments, a reassigned parameter, bare return, destructuring, block-scoped names, handler names as globals', () => {
    for (const source of [
      'function (__r) { this.x = 1; return __r; }',
      'function (__r) { __r.n = arguments.length; return __r; }',
      'function (__r) { __r = {}; return __r; }',
      'function (__r) { if (__r.x) return; return __r; }',
      'function (__r) { var { uri } = __r; __r.u = uri; return __r; }',
      'function (__r) { if (__r.x) { let k = 1; __r.k = k; } return __r; }',
      'function (__r) { __r.e = event.x; return __r; }',
      'function (__r) { a = 1; return __r; }',
      'async function (__r) { return __r; }',
    ]) expect(inlineChain([{ source }], 'request'), source).toBeUndefined();
    expect(inlineChain([{ source: 'function (s) { return s; }' }], 'response')).toBeUndefined();
  });
});

describe('shareMember', () => {
  it('reads a property read by several hooks once, unless something assigns it', () => {
    expect(shareMember('request.headers.a = 1; request.headers.b = 2;', 'request', 'headers', '__edge_h')).toEqual({ chain: '__edge_h.a = 1; __edge_h.b = 2;', declare: ', __edge_h = request.headers' });
    for (const chain of ['request.headers.a = 1; request.headers = {}; request.headers.b = 2;', 'request.headers.a = 1;', 'request = x; request.headers.a = 1; request.headers.b = 2;', 'request.uri += "/"; request.uri.x; request.uri.y;']) {
      const property = chain.includes('uri') ? 'uri' : 'headers';
      expect(shareMember(chain, 'request', property, '__edge_h')).toEqual({ chain, declare: '' });
    }
    expect(shareMember('request.headersX.a; request.headersX.b;', 'request', 'headers', '__edge_h').declare).toBe('');
  });
});

describe('mergeSameAnswers', () => {
  it('joins neighbouring checks that give the same answer, in order; leaves others', () => {
    const chain = '  if (u.indexOf("/a") === 0) return { statusCode: 403 };\n  if (u.indexOf("/b") === 0) { return { statusCode: 403 }; }\n  x();\n  if (c) return { statusCode: 403 };\n  if (d) return { statusCode: 404 };';
    expect(mergeSameAnswers(chain)).toBe('  if ((u.indexOf("/a") === 0) || (u.indexOf("/b") === 0)) return { statusCode: 403 };\n  x();\n  if (c) return { statusCode: 403 };\n  if (d) return { statusCode: 404 };');
    const run = (src: string, u: string) => new Function('u', 'x', 'c', 'd', `${src}\nreturn 'on';`)(u, () => undefined, false, false);
    for (const u of ['/a', '/b', '/c']) expect(run(mergeSameAnswers(chain), u)).toEqual(run(chain, u));
    expect(mergeSameAnswers('if (a) return 1; else return 2;')).toBe('if (a) return 1; else return 2;');
  });
});
