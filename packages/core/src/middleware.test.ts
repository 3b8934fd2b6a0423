import { describe, expect, it } from 'vitest';
import { CODES, DefinitionError } from './errors.js';
import { defineMiddleware, isMiddleware } from './middleware.js';
import { edge } from './pipeline.js';

// What TypeScript checks is checked again for plain JavaScript: each mistake names the middleware
// and the field, with a fix, instead of a TypeError deep in a build.
const define = (d: unknown) => () => defineMiddleware(d as never);

describe('defineMiddleware: a malformed definition', () => {
  it('names the middleware and the field', () => {
    const cases: [unknown, RegExp][] = [
      [{ needs: [], request() {} }, /middleware '\?': name: expected a non-empty string/],
      [{ name: 'tag', request() {} }, /middleware 'tag': needs: expected the list of capabilities .* needs: \['crypto:hash'\]/],
      [{ name: 'tag', needs: ['crypto'], request() {} }, /middleware 'tag': needs: "crypto" is not a capability \(one of .*crypto:hash/],
      [{ name: 'tag', needs: [], request: 'x' }, /middleware 'tag': request: expected a function/],
      [{ name: 'tag', needs: [], respons() {} }, /middleware 'tag': request: a middleware needs a request or a response hook/],
    ];
    for (const [d, message] of cases) {
      expect(define(d)).toThrow(DefinitionError);
      expect(define(d)).toThrow(message);
    }
    try {
      define({ name: 'tag' })();
    } catch (e) {
      expect((e as DefinitionError).code).toBe(CODES.definition);
      expect((e as DefinitionError).field).toBe('needs');
    }
  });

  it('accepts a well-formed one', () => {
    const m = defineMiddleware({ name: 'tag', needs: ['crypto:hash'], request() {} });
    expect(isMiddleware(m)).toBe(true);
    expect(isMiddleware({ name: 'tag' })).toBe(false);
  });
});

describe('pipeline.use: what is not a middleware', () => {
  it('says what to do with a plain object, a factory not called, and anything else', () => {
    const use = (x: unknown) => () => edge().use(x as never);
    expect(use({ name: 'tag', needs: [], request() {} })).toThrow(/middleware 'tag': use\(\): .*a plain object \(wrap it in defineMiddleware\)/);
    expect(use(function securityHeaders() {})).toThrow(/call the factory: securityHeaders\(\), not securityHeaders/);
    expect(use(undefined)).toThrow(DefinitionError);
    expect(use(null)).toThrow(/got null/);
  });
});
