import { describe, expect, it } from 'vitest';
import { CODES } from '@edgeline/core';
import { cacheKeyFromBasicAuth } from '../cacheKeyFromBasicAuth';
import { geoRedirect } from '../geoRedirect';
import { jwtVerify } from '../jwtVerify';
import { securityHeaders } from '../securityHeaders';
import { headerNameOption, objectKeyOption, ownKeysOnly, writtenHeaderOption } from './options.js';

// Issue 12 item 4: every option whose value becomes an object key in generated code is checked
// when the factory is called, and the ConfigError names the middleware and the option.

const SECRET = 'a-shared-secret-of-at-least-32-bytes!';

describe('security: options that reach an object key in generated code', () => {
  const cases: [middleware: string, option: string, make: () => unknown][] = [
    ['geoRedirect', 'header', () => geoRedirect({ countries: ['de'], header: 'constructor' })],
    ['geoRedirect', 'header', () => geoRedirect({ countries: ['de'], header: '__proto__' })],
    ['geoRedirect', 'header', () => geoRedirect({ countries: ['de'], header: 'Constructor' })],
    ['cacheKeyFromBasicAuth', 'header', () => cacheKeyFromBasicAuth({ header: 'cookie' })],
    ['cacheKeyFromBasicAuth', 'header', () => cacheKeyFromBasicAuth({ header: 'constructor' })],
    ['cacheKeyFromBasicAuth', 'header', () => cacheKeyFromBasicAuth({ header: 'host' })],
    ['cacheKeyFromBasicAuth', 'header', () => cacheKeyFromBasicAuth({ header: 'authorization' })],
    ['securityHeaders', 'headers', () => securityHeaders({ headers: { __proto__: 'x' } as unknown as Record<string, string> })],
    ['securityHeaders', 'headers.__proto__', () => securityHeaders({ headers: { __proto__: { 'x-a': '1' } } as unknown as Record<string, string> })],
    ['securityHeaders', 'headers.__proto__', () => securityHeaders(JSON.parse('{ "headers": { "__proto__": "x" } }'))],
    ['securityHeaders', 'headers', () => securityHeaders({ headers: { constructor: 'x' } as unknown as Record<string, string> })],
    ['jwtVerify', 'maxTokenLength', () => jwtVerify({ algorithms: ['HS256'], secret: SECRET, maxTokenLength: 10 })],
  ];
  for (const [middleware, option, make] of cases) {
    it(`${make.toString().replace(/^\(\) => /, '').slice(0, 110)}: a ConfigError naming ${middleware} and ${option}`, () => {
      let error: unknown;
      try {
        make();
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: CODES.config, option });
      expect((error as Error).message.startsWith(`${middleware} ${option}: `), (error as Error).message).toBe(true);
    });
  }

  it("jwtVerify({ issuer: '__proto__' }) verifies tokens from that issuer: the issuer is compared, not a key", () => {
    expect(() => jwtVerify({ algorithms: ['HS256'], secret: SECRET, issuer: '__proto__', audience: ['constructor', 'toString'] })).not.toThrow();
  });

  it('geoRedirect keeps any other header name it reads', () => {
    expect(geoRedirect({ countries: ['de'], header: 'X-Country' }).config).toMatchObject({ header: 'x-country' });
  });
});

describe('option checks', () => {
  it('headerNameOption refuses Object.prototype names after lower-casing only', () => {
    expect(() => headerNameOption('h', 'constructor', [])).toThrow(/Object.prototype/);
    expect(() => headerNameOption('h', '__proto__', [])).toThrow(/Object.prototype/);
    // `toString` is looked up as `tostring`, which no object has.
    expect(headerNameOption('h', 'toString', [])).toBe('tostring');
  });

  it('writtenHeaderOption refuses what the viewer sent and what CloudFront keeps', () => {
    for (const name of ['cookie', 'Host', 'authorization', 'content-length', 'via', 'x-amz-cf-id', 'connection', 'x-edge-foo']) {
      expect(() => writtenHeaderOption('h', name, ['viewer-request']), name).toThrow(expect.objectContaining({ code: CODES.config, option: 'h' }));
    }
    expect(writtenHeaderOption('h', 'X-Cache-Key', ['viewer-request'])).toBe('x-cache-key');
  });

  it('objectKeyOption refuses every Object.prototype member', () => {
    for (const key of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__']) {
      expect(() => objectKeyOption('k', key), key).toThrow(expect.objectContaining({ code: CODES.config, option: 'k' }));
    }
    expect(objectKeyOption('k', 'de')).toBe('de');
  });

  it('ownKeysOnly sees a __proto__ key however it was made', () => {
    expect(() => ownKeysOnly('o', { __proto__: { a: 1 } } as never)).toThrow(expect.objectContaining({ option: 'o.__proto__' }));
    expect(() => ownKeysOnly('o', JSON.parse('{ "__proto__": 1 }'))).toThrow(expect.objectContaining({ option: 'o.__proto__' }));
    expect(() => ownKeysOnly('o', Object.create(null))).not.toThrow();
    expect(() => ownKeysOnly('o', { a: 1 })).not.toThrow();
  });
});
