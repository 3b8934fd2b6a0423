import { describe, expect, it } from 'vitest';
import { cannotThrow } from './cannot-throw.js';

describe('cannotThrow', () => {
  it('accepts straight-line code over the objects CloudFront always gives', () => {
    expect(cannotThrow('function (__s, __r) { __s.headers["x-a"] = { value: "1" }; if (__s.statusCode >= 400) __s.headers["cache-control"] = { value: "no-store" }; }')).toBe(true);
    expect(cannotThrow('function (__r, __e) { var c = (__r.headers["x-c"] && __r.headers["x-c"].value) || __e.viewer.ip; __r.headers["x-d"] = { value: String(c) }; return __r; }')).toBe(true);
    expect(cannotThrow('function (__r, __e) { if ((__r.querystring["a"] && __edge_dec(__r.querystring["a"].value)) === "b") return { statusCode: 302, headers: {} } || __r; return __r; }')).toBe(true);
    expect(cannotThrow('function (__s, __r) { __edge_ck(__s.cookies || (__s.cookies = {}), "a", { value: "1" }); delete __s.headers["server"]; }')).toBe(true);
  });

  it('refuses whatever may throw', () => {
    const refused = [
      'function (__r) { return __r.headers["a"].value; }', // absent header
      'function (__r) { var u = __r.uri; return u.slice(1); }', // a call on a local value
      'function (__r) { __r.headers.a = { value: encodeURIComponent(__r.uri) }; }', // lone surrogates
      'function (__s) { __s.cookies["a"] = { value: "1" }; }', // cookies may be missing on a response
      'function (__s) { __edge_ck(__s.cookies, "a", {}); }',
      'function (__r) { for (;;) {} }',
      'function (__r) { throw new Error("x"); }',
      'function (__r) { return CONFIG.a.b; }',
      'function (__r) { return require("crypto").createHash("md5"); }',
      'function (__r) { return [1].map(function (x) { return x; }); }',
      'function (__r) { return "a" in __r.headers; }',
      '(__r) => __r',
      'not code (',
    ];
    for (const source of refused) expect(cannotThrow(source), source).toBe(false);
  });
});
