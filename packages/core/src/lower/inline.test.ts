import { describe, expect, it } from 'vitest';
import { answersThrough, inlineBody, neverAnswers, returningResponse } from './inline.js';

const run = (param: string, body: string, event: unknown): unknown => new Function(param, body)(event);

describe('inlineBody', () => {
  it('binds the parameters and returns the first one when the body falls off its end', () => {
    const out = inlineBody('function (request, ev) { request.uri = "/x" + ev.n; }', ['event.request', 'event'], 'request')!;
    expect(out.param).toBe('event'); // the parameter given the event is the handler's, renamed as one writes it
    expect(out.body).not.toMatch(/\bev\b/);
    expect(run(out.param, out.body, { request: { uri: '/' }, n: 1 })).toEqual({ uri: '/x1' });
    const other = inlineBody('function (request) { request.uri = "/x"; }', ['event.request', 'event'], 'request')!;
    expect(other.param).toBe('event');
    expect(run(other.param, other.body, { request: { uri: '/' } })).toEqual({ uri: '/x' });
  });

  it('keeps the event parameter\'s own name where renaming it could change what the hook means', () => {
    const args = ['event.request', 'event'];
    const kept = (source: string, event: unknown, expected: unknown) => {
      const out = inlineBody(source, args, 'request')!;
      expect(out.param).toBe('ev');
      expect(run(out.param, out.body, event)).toEqual(expected);
    };
    // a nested `event` the rename would capture
    kept('function (request, ev) { request.uri = [1].map(function (event) { return ev.n; })[0]; }', { request: {}, n: 'a' }, { uri: 'a' });
    // a shorthand property, whose key would be renamed too
    kept('function (request, ev) { request.x = Object.keys({ ev })[0]; }', { request: {} }, { x: 'ev' });
    // a mention that is not a reference (a string)
    kept('function (request, ev) { request.uri = "ev" + ev.n; }', { request: {}, n: 3 }, { uri: 'ev3' });
  });

  it('keeps a request hook\'s own returns (an answer, or the request)', () => {
    const out = inlineBody('function (request) { if (request.uri === "/a") return { statusCode: 403 }; return request; }', ['event.request'], 'request')!;
    expect(run(out.param, out.body, { request: { uri: '/a' } })).toEqual({ statusCode: 403 });
    expect(run(out.param, out.body, { request: { uri: '/b' } })).toEqual({ uri: '/b' });
  });

  it('renames the handler parameter when the hook has an `event` of its own', () => {
    const out = inlineBody('function (response) { var event = 1; response.n = event; }', ['event.response'], 'response')!;
    expect(out.param).toBe('__edge_event');
    expect(run(out.param, out.body, { response: {} })).toEqual({ n: 1 });
  });

  it('refuses what would change meaning', () => {
    const req = ['event.request', 'event'];
    expect(inlineBody('function (request) { return; }', req, 'request')).toBeUndefined();
    expect(inlineBody('function (response) { if (response.x) return; response.y = 1; }', ['event.response'], 'response')).toBeUndefined();
    expect(inlineBody('function (request) { return this; }', req, 'request')).toBeUndefined();
    expect(inlineBody('function (request) { return arguments[0]; }', req, 'request')).toBeUndefined();
    expect(inlineBody('function ({ uri }) { return uri; }', req, 'request')).toBeUndefined();
    expect(inlineBody('(request) => request', req, 'request')).toBeUndefined();
    expect(inlineBody('function () { }', req, 'request')).toBeUndefined();
  });

  it('allows returns and `this` inside nested functions', () => {
    const out = inlineBody('function (response) { response.list = [1, 2].map(function (x) { return x * 2; }); }', ['event.response'], 'response')!;
    expect(run(out.param, out.body, { response: {} })).toEqual({ list: [2, 4] });
  });
});

describe('answersThrough', () => {
  const through = (a: string, r: string) => `stamp(${a}, ${r})`;

  it('passes each literal answer through the given calls and keeps returns of the request', () => {
    const out = answersThrough('function (__r, __e) { if (__r.uri === "/a") return ({ statusCode: 403 }) || __r; return __r; }', through)!;
    expect(out).toContain('return stamp({ statusCode: 403 }, __r);');
    expect(out).toContain('return __r;');
    const stamp = (a: { n?: number }, r: unknown) => ((a.n = r ? 1 : 0), a);
    expect(new Function('stamp', `return ${out}`)(stamp)({ uri: '/a' })).toEqual({ statusCode: 403, n: 1 });
  });

  it('leaves nested functions alone and refuses other returns', () => {
    expect(answersThrough('function (__r) { [1].map(function (x) { return x; }); return __r; }', through)).toBeDefined();
    expect(answersThrough('function (__r) { return (x) || __r; }', through)).toBeUndefined(); // not known to be an answer
    expect(answersThrough('function (__r) { return; }', through)).toBeUndefined();
    expect(answersThrough('function (__r) { return ({ statusCode: 403 }) || other; }', through)).toBeUndefined();
  });
});

describe('neverAnswers', () => {
  it('holds when every return gives back the unchanged request parameter', () => {
    expect(neverAnswers('function (request) { if (request.uri === "/") return request; request.uri += "x"; return request; }')).toBe(true);
    expect(neverAnswers('function (request) { [1].map(function (x) { return x; }); return request; }')).toBe(true);
  });

  it('does not hold for an answer, a reassigned parameter, a bare return or falling off the end', () => {
    expect(neverAnswers('function (request) { if (request.uri === "/a") return { statusCode: 403 }; return request; }')).toBe(false);
    expect(neverAnswers('function (request) { request = { statusCode: 403 }; return request; }')).toBe(false);
    expect(neverAnswers('function (request) { if (request.x) return; return request; }')).toBe(false);
    expect(neverAnswers('function (request) { request.uri = "/"; }')).toBe(false);
    expect(neverAnswers('function (request) { return ({ statusCode: 403 }) || request; }')).toBe(false);
  });
});

describe('returningResponse', () => {
  it('returns the response, and drops the request parameter when unused', () => {
    const out = returningResponse('function (__s, __r) { __s.headers.a = { value: "1" }; }')!;
    expect(out.usesRequest).toBe(false);
    expect(new Function(`return ${out.source}`)()({ headers: {} })).toEqual({ headers: { a: { value: '1' } } });
    const uses = returningResponse('function (__s, __r) { __s.uri = __r.uri; }')!;
    expect(uses.usesRequest).toBe(true);
    expect(new Function(`return ${uses.source}`)()({}, { uri: '/x' })).toEqual({ uri: '/x' });
  });

  it('refuses a hook with returns of its own', () => {
    expect(returningResponse('function (__s) { if (__s.x) return; __s.y = 1; }')).toBeUndefined();
  });
});
