import { describe, expect, it } from 'vitest';
import { scanHook } from './scan.js';

const constructs = (src: string) => scanHook(src).map((f) => `${f.construct}:${f.capability ?? '-'}`).sort();

describe('scanHook', () => {
  it('finds network, async, fs, env and forbidden constructs', () => {
    expect(constructs('async function (ctx) { await fetch("http://x") }')).toEqual(['async function:async', 'await:async', 'fetch:network']);
    expect(constructs('function (ctx) { require("fs").readFileSync("/etc/passwd") }')).toEqual(["require('fs'):fs"]);
    expect(constructs('(ctx) => { ctx.request.headers.set("a", process.env.SECRET) }')).toEqual(['process.env:env']);
    expect(constructs('function (ctx) { eval("1"); new Function("return 1") }')).toEqual(['eval:-', 'new Function:-']);
    expect(constructs('function (ctx) { return ctx.request.body.data }')).toEqual(['ctx.request.body:body']);
  });

  it('classifies crypto by what is called', () => {
    expect(constructs('function (c) { var k = require("crypto"); k.createHash("md5"); k.createHmac("sha256", "s") }')).toEqual([
      'crypto.createHash:crypto:hash', 'crypto.createHmac:crypto:hmac', "require('crypto'):-",
    ]);
    expect(constructs('function (c) { require("node:crypto").createVerify("RSA-SHA256") }')).toContain('crypto.createVerify:crypto:verify');
  });

  it('accepts a method-shorthand hook turned into a function and a plain hook with nothing to report', () => {
    expect(scanHook('function request(ctx, config) { ctx.request.uri = config.uri }')).toEqual([]);
  });
});
