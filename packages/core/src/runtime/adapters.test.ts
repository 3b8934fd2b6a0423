import { describe, expect, it } from 'vitest';
import { cffForward, cffRequestContext, cffResponse, cffResponseContext, leForward, leRequestContext, parsePairs } from './index.js';
import { lambdaEvent, viewerRequest } from '../testing/index.js';
import type { CffEvent } from './cff.js';
import type { LeEvent } from './lambda.js';

describe('adapters: bad input never throws', () => {
  it('reads a CloudFront Functions event without headers, querystring or cookies', () => {
    const event = { version: '1.0', context: { eventType: 'viewer-request' }, viewer: { ip: '1.2.3.4' }, request: { method: 'GET', uri: '/' } } as unknown as CffEvent;
    const ctx = cffRequestContext(event);
    expect(ctx.request.headers.get('x')).toBeUndefined();
    expect(ctx.request.querystring.toString()).toBe('');
    expect(ctx.request.cookies.get('a')).toBeUndefined();
    expect(ctx.viewer.country).toBeUndefined();
    expect(cffForward(ctx, event).uri).toBe('/');
  });

  it('reads a Lambda@Edge event without headers or querystring', () => {
    const event = { Records: [{ cf: { config: { eventType: 'viewer-request' }, request: { clientIp: '1.2.3.4', method: 'GET', uri: '/' } } }] } as unknown as LeEvent;
    const ctx = leRequestContext(event);
    expect(ctx.request.headers.getAll('cookie')).toEqual([]);
    expect(ctx.request.querystring.get('a')).toBeUndefined();
    expect(leForward(ctx, event).uri).toBe('/');
  });

  it('returns a bad escape as it came, on both shapes', () => {
    const cff = cffRequestContext(viewerRequest({ querystring: 'a=%zz&b=%E2%82%AC&c=x+y' }));
    const le = leRequestContext(lambdaEvent('viewer-request', { querystring: 'a=%zz&b=%E2%82%AC&c=x+y' }));
    for (const ctx of [cff, le]) {
      expect(ctx.request.querystring.get('a')).toBe('%zz');
      expect(ctx.request.querystring.get('b')).toBe('€');
      expect(ctx.request.querystring.get('c')).toBe('x y');
    }
  });

  it('handles empty values, an 8 KB uri and unicode', () => {
    const uri = '/' + 'a'.repeat(8192) + '/ünï/😀';
    const cffEvent = viewerRequest({ uri, headers: { 'x-empty': '' }, querystring: 'e=&f' });
    const cff = cffRequestContext(cffEvent);
    expect(cff.request.headers.get('x-empty')).toBe('');
    expect(cff.request.querystring.get('e')).toBe('');
    expect(cff.request.querystring.get('f')).toBe('');
    expect(cffForward(cff, cffEvent).uri).toBe(uri);
    const leEvent = lambdaEvent('viewer-request', { uri, headers: { 'x-empty': '' }, querystring: 'e=&f' });
    const le = leRequestContext(leEvent);
    expect(le.request.querystring.has('f')).toBe(true);
    expect(leForward(le, leEvent).querystring).toBe('e=&f');
  });

  it('parses cookie headers, tolerating junk', () => {
    expect(parsePairs(' a=1; ;b; c==d ', ';')).toEqual({ a: { value: '1' }, b: { value: '' }, c: { value: '=d' } });
  });

  it('writes Set-Cookie of a CloudFront Functions response into cookies', () => {
    const event = { version: '1.0', context: { eventType: 'viewer-response' }, viewer: { ip: '' }, request: { method: 'GET', uri: '/', headers: {} }, response: { statusCode: 200, headers: {} } } as unknown as CffEvent;
    const ctx = cffResponseContext(event);
    ctx.response.headers.append('Set-Cookie', 'a=1; Path=/; Secure');
    ctx.response.headers.append('set-cookie', 'a=2');
    expect(ctx.response.headers.getAll('set-cookie')).toEqual(['a=1; Path=/; Secure', 'a=2']);
    expect(cffResponse(ctx, event.response!).cookies).toEqual({ a: { value: '1', attributes: 'Path=/; Secure', multiValue: [{ value: '1', attributes: 'Path=/; Secure' }, { value: '2', attributes: undefined }] } });
    expect(cffResponse(ctx, event.response!).headers).toEqual({});
  });
});

describe('adapters: names from the prototype are names like any other', () => {
  it('parses __proto__ and constructor in a Lambda@Edge query string without touching Object.prototype', () => {
    const pairs = parsePairs('__proto__=1&constructor=2&__proto__=3&toString', '&');
    expect(Object.keys(pairs)).toEqual(['__proto__', 'constructor', 'toString']);
    expect((Object.prototype as { multiValue?: unknown }).multiValue).toBeUndefined();
    const ctx = leRequestContext(lambdaEvent('viewer-request', { querystring: '__proto__=1&constructor=2&__proto__=3' }) as LeEvent);
    expect(ctx.request.querystring.getAll('__proto__')).toEqual(['1', '3']);
    expect(ctx.request.querystring.get('constructor')).toBe('2');
    expect(ctx.request.querystring.get('toString')).toBeUndefined();
  });

  it('never appends through the prototype in a CloudFront Functions event', () => {
    const ctx = cffRequestContext(viewerRequest({ uri: '/' }));
    ctx.request.headers.append('constructor', 'x');
    ctx.request.querystring.append('constructor', 'y');
    expect(ctx.request.querystring.get('constructor')).toBe('y');
    expect(ctx.request.headers.get('toString')).toBeUndefined();
    expect((Object.prototype as { multiValue?: unknown }).multiValue).toBeUndefined();
    expect((Object as unknown as { multiValue?: unknown }).multiValue).toBeUndefined();
  });
});

describe('Lambda@Edge query string', () => {
  it('comes back as it came until a hook changes it, then is rebuilt', () => {
    const raw = 'b=2&a=1&b=3&&c=';
    const event = lambdaEvent('viewer-request', { querystring: raw }) as LeEvent;
    const ctx = leRequestContext(event);
    expect(ctx.request.querystring.toString()).toBe(raw);
    expect(ctx.request.querystring.getAll('b')).toEqual(['2', '3']);
    expect(leForward(ctx, event).querystring).toBe(raw);
    ctx.request.querystring.set('a', 'x y');
    expect(ctx.request.querystring.toString()).toBe('b=2&b=3&a=x%20y&c');
    expect(leForward(ctx, event).querystring).toBe('b=2&b=3&a=x%20y&c');
  });
});
