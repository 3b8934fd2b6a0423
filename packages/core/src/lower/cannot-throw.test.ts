import { describe, expect, it } from 'vitest';
import { cannotThrow } from './cannot-throw.js';

describe('cannotThrow', () => {
  it('accepts straight-line code over the objects CloudFront always gives', () => {
    expect(cannotThrow('function (__s, __r) { __s.headers["x-a"] = { value: "1" }; if (__s.statusCode >= 400) __s.headers["cache-control"] = { value: "no-store" }; }')).toBe(true);
    expect(cannotThrow('function (__r, __e) { var c = (__r.headers["x-c"] && __r.headers["x-c"].value) || __e.viewer.ip; __r.headers["x-d"] = { value: String(c) }; return __r; }')).toBe(true);
    expect(cannotThrow('function (__r, __e) { if ((__r.querystring["a"] && __edge_dec(__r.querystring["a"].value)) === "b") return { statusCode: 302, headers: {} } || __r; return __r; }')).toBe(true);
    expect(cannotThrow('function (__s, __r) { __edge_ck(__s.cookies || (__s.cookies = {}), "a", { value: "1" }); delete __s.headers["server"]; }')).toBe(true);
  });

  it('accepts string methods on values known to be strings, and hashing a string', () => {
    const accepted = [
      'function (__r) { var u = __r.uri; if (u.indexOf("/a") === 0) __r.uri = u.slice(2).toLowerCase(); return __r; }',
      'function (__r) { const parts = __r.uri.split("/"); __r.headers["x"] = { value: String(parts.length) + (parts[1] || "") }; }',
      'function (__r, __e) { var id = (__r.cookies["uid"] && __r.cookies["uid"].value) || __e.viewer.ip; var d = require("crypto").createHash("md5").update(id).digest("hex"); __r.headers["b"] = { value: String(parseInt(d.slice(0, 8), 16) % 4) }; }',
      'function (__r) { const crypto = require("crypto"); return crypto.createHmac("sha256", "k").update(__r.uri).update("x").digest("base64url"); }',
      'function (__r) { if ((__r.querystring["l"] !== undefined)) __r.uri = "/" + (__r.querystring["l"] && __edge_dec(__r.querystring["l"].value)) + __r.uri; }',
      'function (__r) { __r.uri = __r.uri.replace(/\\/+$/, "").replace("a", "b"); }',
    ];
    for (const source of accepted) expect(cannotThrow(source), source).toBe(true);
  });

  it('accepts Math.random, a RegExp test of a primitive, option tables, values of a header and their join', () => {
    const accepted = [
      'function (__r) { __r.headers["x-v"] = { value: Math.random() < 0.5 ? "a" : "b" }; }',
      'function (__r) { if (/^\\/a/.test(__r.uri)) return { statusCode: 403, headers: {} }; }',
      'function (__r) { if (new RegExp("^/a", "i").test(__r.uri)) return { statusCode: 403, headers: {} }; }',
      'function (__r) { const o = (__r.headers["origin"] && __r.headers["origin"].value) || ""; if (CONFIG_exact[o] === 1) __r.headers["x-o"] = { value: o }; }',
      'function (__r) { __r.headers["x-all"] = { value: __edge_allraw(__r.headers["accept"]).join(",") }; }',
    ];
    for (const source of accepted) expect(cannotThrow(source), source).toBe(true);
    const refused = [
      'function (__r) { return /a/g.test(__r.uri); }', // lastIndex state: not a plain test
      'function (__r) { return new RegExp(__r.uri).test("a"); }', // a pattern the viewer wrote
      'function (__r) { return new RegExp("(", "").test("a"); }', // not a pattern at all
      'function (__r) { return /a/.test(__r.headers); }', // converting the map may throw
      'function (__r) { return CONFIG.a.b; }',
    ];
    for (const source of refused) expect(cannotThrow(source), source).toBe(false);
  });

  it("accepts an entry of the event's maps read once into a local, and its value behind it", () => {
    const accepted = [
      'function (__r) { const e = __r.headers["a"], a = e && e.value; if (a) __r.uri = a.trim(); }',
      'function (__r) { var e = __r.querystring["q"], q = e && __edge_dec(e.value); if (q !== undefined) __r.uri = q.slice(1); }',
    ];
    for (const source of accepted) expect(cannotThrow(source), source).toBe(true);
    const refused = [
      'function (__r) { const e = __r.headers["a"]; __r.uri = e.value; }', // no entry for a missing header
      'function (__r) { const e = __r.headers["a"], a = e && e.value; __r.uri = a.trim(); }', // a may be undefined
      'function (__r) { const e = __r.headers["a"]; __r.uri = e && e.multiValue.length; }',
    ];
    for (const source of refused) expect(cannotThrow(source), source).toBe(false);
  });

  it('accepts arrays of strings built by push, their elements in a loop over them, and tests that leave the block early', () => {
    const accepted = [
      // normalizeQuery's shape: parse, filter, sort natively, rebuild.
      'function (__r) { const text = __r.rawQueryString() || ""; if (!text) return __r; const parts = text.split("&"); const keys = []; const pairs = []; ' +
        'for (let i = 0; i < parts.length; i++) { const part = parts[i]; if (part === "") continue; const eq = part.indexOf("="); const name = eq < 0 ? part : part.substring(0, eq); ' +
        'if (CONFIG_deny[name] === 1) continue; keys.push(name + "\u0001" + (10000 + pairs.length)); pairs.push(part); } keys.sort(); const out = []; ' +
        'for (let j = 0; j < keys.length; j++) out.push(pairs[+keys[j].substring(keys[j].length - 5) - 10000]); __r.querystring = String(out.join("&")); return __r; }',
      // Early exits narrow what follows: a string, an option-table value present.
      'function (__r) { const a = __r.headers["a"] && __r.headers["a"].value; if (a === undefined) return; __r.uri = a.trim(); }',
      'function (__r) { const e = __r.headers["a"], a = e && e.value; if (!a || a.length > 9) return; __r.uri = a.trim(); }',
      'function (__r) { let rule = CONFIG_exact[__r.uri]; if (!rule) return __r; if (rule[2]) __r.uri = rule[0] + (rule[3] || ""); }',
      'function (__r) { for (const k of []) {} }'.replace('for (const k of []) {}', 'let t = __r.uri; const s = t.search(/[^\\/]/); if (s > 0) t = t.slice(s);'),
      'function (__r) { const keys = Object.keys(__r.querystring); for (let i = 0; i < keys.length; i++) __r.uri += keys[i].toLowerCase(); }',
    ];
    for (const source of accepted) expect(cannotThrow(source), source).toBe(true);
    const refused = [
      // Out of bounds: the index is set in the body, declared again, or the test is not i < a.length.
      'function (__r) { const a = __r.uri.split("/"); for (let i = 0; i < a.length; i++) { i++; __r.uri = a[i].trim(); } }',
      'function (__r) { const a = __r.uri.split("/"); for (let i = 0; i < a.length; i++) { for (let i = 5; i < 6; ) { __r.uri = a[i].trim(); break; } } }',
      'function (__r) { const a = __r.uri.split("/"); for (let i = 0; i <= a.length; i++) __r.uri = a[i].trim(); }',
      // A pushed value that is not a string makes the elements no strings.
      'function (__r) { const a = []; a.push(__r.headers["x"] && __r.headers["x"].value); for (let i = 0; i < a.length; i++) __r.uri = a[i].trim(); }',
      // An exit that does not always leave; a test that proves nothing.
      'function (__r) { const a = __r.headers["a"] && __r.headers["a"].value; if (a === undefined) { if (__r.uri) return; } __r.uri = a.trim(); }',
      'function (__r) { const a = __r.headers["a"] && __r.headers["a"].value; if (a === "") return; __r.uri = a.trim(); }',
      'function (__r) { let rule = CONFIG_exact[__r.uri]; if (rule) return __r; __r.uri = rule[0]; }',
      'function (__r) { let rule = CONFIG_exact[__r.uri]; if (!rule) return __r; rule = CONFIG_exact["x"]; __r.uri = rule[0]; }',
    ];
    for (const source of refused) expect(cannotThrow(source), source).toBe(false);
  });

  it('accepts loops, tests that prove a value a string, and a try whose catch handles a throwing native', () => {
    const accepted = [
      // A loop cannot throw by itself (whether it ends is the cost check's business).
      'function (__r) { var u = __r.uri; let n = 0; for (let i = 0; i < u.length; i++) if (u.charCodeAt(i) === 47) n++; __r.headers["x-n"] = { value: String(n) }; }',
      'function (__r) { let n = __r.uri.length; while (n > 0 && __r.uri.charCodeAt(n - 1) === 47) n--; do { n -= 1; } while (n > 5); for (;;) { break; } }',
      'function (__r) { const a = __r.headers["a"] && __r.headers["a"].value; if (a !== undefined && a.length > 3) __r.uri = a.slice(1); }',
      'function (__r) { const a = __r.headers["a"] && __r.headers["a"].value; __r.uri = a ? a.toLowerCase() : ""; return a && a.trim(); }',
      'function (__r) { let t = __r.uri; try { t = encodeURI(t); } catch (e) { t = "/" + String(e); } __r.uri = t; }',
      'function (__r) { let s = ""; for (let i = 0; i < 3; i++) s += __r.uri.charAt(i); let d = 0; d |= __r.uri.length; __r.uri = s.slice(d); }',
      'function (__r) { return Math.floor(Date.now() / 1000) > 5 && Array.isArray(__r.uri); }',
    ];
    for (const source of accepted) expect(cannotThrow(source), source).toBe(true);
    const refused = [
      // Narrowed, then given a value that may be undefined again.
      'function (__r) { let a = __r.headers["a"] && __r.headers["a"].value; if (a) { a = __r.headers["b"] && __r.headers["b"].value; return a.slice(1); } }',
      'function (__r) { let x = __r.uri; if (typeof x === "string") { x = 5; return x.slice(1); } }',
      'function (__r) { let x = "a"; x = __r.headers; return x.slice(1); }',
      'function (__r) { const a = __r.headers["a"] && __r.headers["a"].value; if (a !== null) return a.slice(1); }', // null is not undefined
      'function (__r) { return encodeURI(__r.uri); }', // a lone surrogate throws, and no try catches it
      'function (__r) { try { __r.uri = encodeURI(__r.uri); } catch (e) { __r.uri = encodeURI(__r.uri + "x"); } }',
      'function (__r) { try { __r.uri = encodeURI(__r.uri); } finally { __r.uri = "/"; } }',
      'function (__r) { let s = "a"; s -= 1; return s.slice(1); }',
      'function (__r) { outer: for (;;) { break outer; } }',
      'function (__r) { for (const k in __r.headers) __r.uri = k; }',
    ];
    for (const source of refused) expect(cannotThrow(source), source).toBe(false);
  });

  it('accepts awaiting a KeyValueStore read (it settles to undefined for a missing key) or a primitive', () => {
    expect(cannotThrow('async function (__r) { const f = await __edge_kvs("flag:" + __r.uri); if (f === "off") return { statusCode: 404, headers: {} }; if (f) __r.headers["x-flag"] = { value: f }; }')).toBe(true);
    expect(cannotThrow('async function (__r) { const n = await 1; __r.headers["x"] = { value: String(n) }; }')).toBe(true);
  });

  it('refuses whatever may throw', () => {
    const refused = [
      'function (__r) { return __r.headers["a"].value; }', // absent header
      'function (__r) { var u = __r.headers; return u.slice(1); }', // a call on a value not known to be a string
      'function (__r) { var u = __r.uri; u = __r.headers; return u.slice(1); }', // set again: no longer known
      'function (__r) { if (__r.uri) { var u = __r.uri; } return u.slice(1); }', // declared in a branch that may not run
      'function (__r) { var u = (__r.headers["a"] && __r.headers["a"].value); return u.slice(1); }', // may be undefined
      'function (__r) { return __r.uri.startsWith(/a/); }', // a RegExp where a string is read
      'function (__r) { return __r.uri.replace("a", function () { return 1; }); }',
      'function (__r) { return String(__r.querystring); }', // ?toString=1 makes converting it throw
      'function (__r) { return __r.querystring + ""; }',
      'function (__r) { return "" + ({ valueOf: 1, toString: 1 }); }',
      'function (__r) { return __r.headers[__r.cookies]; }',
      'function (__r) { return require("crypto").createHash(__r.uri); }', // an unknown algorithm throws
      'function (__r) { return require("crypto").createHash("md5").update(__r.headers).digest("hex"); }',
      'function (__r) { return require("crypto").createHash("md5").update("a").digest("latin1"); }',
      'function (__r) { return require("fs"); }',
      'function (__r) { __r.headers.a = { value: encodeURIComponent(__r.uri) }; }', // lone surrogates
      'function (__s) { __s.cookies["a"] = { value: "1" }; }', // cookies may be missing on a response
      'function (__s) { __edge_ck(__s.cookies, "a", {}); }',
      'function (__r) { throw new Error("x"); }',
      'function (__r) { return CONFIG.a.b; }',
      'function (__r) { return [1].map(function (x) { return x; }); }',
      'function (__r) { return "a" in __r.headers; }',
      'async function (__r) { const f = await __edge_kvs(__r.headers); }', // a key that may not convert
      'async function (__r) { const f = await __edge_kvs("k"); return f.length; }', // undefined for a missing key
      'async function (__r) { await fetch(__r.uri); }',
      'async function (__r) { await __r.headers; }', // a thenable the viewer may not send, but not proven
      '(__r) => __r',
      'not code (',
    ];
    for (const source of refused) expect(cannotThrow(source), source).toBe(false);
  });
});
