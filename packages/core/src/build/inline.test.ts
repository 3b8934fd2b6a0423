import { describe, expect, it } from 'vitest';
import { inlineBody } from './inline.js';

const run = (param: string, body: string, event: unknown): unknown => new Function(param, body)(event);

describe('inlineBody', () => {
  it('binds the parameters and returns the first one when the body falls off its end', () => {
    const out = inlineBody('function (request, ev) { request.uri = "/x" + ev.n; }', ['event.request', 'event'], 'request')!;
    expect(out.param).toBe('event');
    expect(run(out.param, out.body, { request: { uri: '/' }, n: 1 })).toEqual({ uri: '/x1' });
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
