import { createContext, runInContext } from 'node:vm';
import crypto from 'node:crypto';
import querystring from 'node:querystring';
import { Buffer } from 'node:buffer';
import { inspect } from 'node:util';
import { DEFAULT_CF_RUNTIME, type CfRuntime } from '@edgeline/core';
import { rawQueryOf, type CffEvent } from '@edgeline/core/runtime';
import { LACKING_GLOBALS } from './rules.js';
import { validateCfResult } from './validate.js';

export interface EmulatorOptions {
  runtime?: CfRuntime;
  /** The KeyValueStore (runtime 2.0). */
  kvs?: Record<string, string>;
  /** What `Date` says during the invocation (ms since epoch); default: the time of the call. */
  now?: number;
}

export type EmulatorRun =
  | { ok: true; result: unknown; origin?: Record<string, unknown>; logs?: string[] }
  | { ok: false; error: string; logs?: string[] };

const IMPORT_CF = /^import\s+cf\s+from\s+['"]cloudfront['"];?\s*$/m;

/**
 * Runs an artifact in-process in a fresh `node:vm` context that applies the CloudFront
 * Functions rules: no eval or Function constructor, only the runtime's modules, none of the
 * built-ins it lacks, no timers, `Date` fixed for the invocation, and the result checked
 * as CloudFront checks it. Fast enough for unit tests; njs (see runInNjs) is the reference.
 */
export async function runInEmulator(code: string, event: CffEvent, options: EmulatorOptions = {}): Promise<EmulatorRun> {
  const runtime = options.runtime ?? DEFAULT_CF_RUNTIME;
  const state: { origin?: Record<string, unknown> } = {};
  const store = options.kvs ?? {};
  const cf = {
    updateRequestOrigin: (params: Record<string, unknown>) => { state.origin = params; },
    kvs: () => ({
      get: (key: string) => (Object.prototype.hasOwnProperty.call(store, key) ? Promise.resolve(store[key]) : Promise.reject(new Error(`key ${key} not found`))),
    }),
  };
  // njs's querystring.unescape reads '+' as a space (a form-encoded one); Node's keeps it.
  const njsQuerystring = { ...querystring, unescape: (s: string) => querystring.unescape(String(s).split('+').join(' ')) };
  const modules: Record<string, unknown> = { crypto, querystring: njsQuerystring };
  if (runtime === 'cloudfront-js-2.0') modules.buffer = { Buffer };
  // What the function logs with console.log, one line per call (as runInNjs collects it).
  const logs: string[] = [];
  const sandbox: Record<string, unknown> = {
    console: { log: (...args: unknown[]) => { logs.push(args.map((a) => (typeof a === 'string' ? a : inspect(a))).join(' ')); }, error: () => {}, warn: () => {} },
    require: (name: string) => {
      if (!Object.prototype.hasOwnProperty.call(modules, name)) throw new Error(`Cannot find module '${name}'`);
      return modules[name];
    },
    __now: options.now ?? Date.now(),
    __event: JSON.stringify(event),
  };
  if (runtime === 'cloudfront-js-2.0') {
    sandbox.cf = cf;
    sandbox.Buffer = Buffer;
  }
  const context = createContext(sandbox, { codeGeneration: { strings: false, wasm: false } });
  runInContext(fixDate() + removeGlobals(runtime) + (runtime === 'cloudfront-js-1.0' ? NJS_STRINGS : ''), context);
  try {
    const handler = runInContext(`${code.replace(IMPORT_CF, '')}\n;handler`, context) as (e: unknown) => unknown;
    const input = runInContext('JSON.parse(__event)', context);
    if (runtime === 'cloudfront-js-2.0' && event.context && event.context.eventType === 'viewer-request') {
      // CloudFront's 2.0 request has rawQueryString(): the event's own (a fixture's), else the object's text.
      const method = runInContext('(function (raw) { return function rawQueryString() { return raw; }; })', context)(rawQueryOf(event.request));
      Object.defineProperty(input.request, 'rawQueryString', { value: method, enumerable: false, writable: true, configurable: true });
    }
    const result = JSON.parse(JSON.stringify(await handler(input)));
    validateCfResult(event, result);
    const logged = logs.length ? { logs } : {};
    return state.origin ? { ok: true, result, origin: state.origin, ...logged } : { ok: true, result, ...logged };
  } catch (e) {
    return { ok: false, error: String((e as Error)?.message ?? e), ...(logs.length ? { logs } : {}) };
  }
}

/**
 * Runtime 1.0's non-standard njs string methods (byte strings are strings of code units < 256):
 * `String.bytesFrom(array | string, 'hex' | 'base64' | 'base64url')`, `fromUTF8` (null when not
 * UTF-8), `toUTF8`, `fromBytes`, `toBytes`. Runtime 2.0 removed them for Buffer.
 */
const NJS_STRINGS = `(function () {
  var A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  function b64(s) {
    var out = '', w = 0, k = 0;
    s = s.replace(/-/g, '+').replace(/_/g, '/');
    for (var i = 0; i < s.length; i++) {
      var v = A.indexOf(s.charAt(i));
      if (v < 0) continue;
      w = (w << 6) | v;
      if (++k === 4) { out += String.fromCharCode(w >> 16, (w >> 8) & 255, w & 255); w = 0; k = 0; }
    }
    if (k === 2) out += String.fromCharCode(w >> 4);
    if (k === 3) out += String.fromCharCode(w >> 10, (w >> 2) & 255);
    return out;
  }
  function def(o, name, fn) { Object.defineProperty(o, name, { value: fn, writable: true, configurable: true }); }
  def(String, 'bytesFrom', function (x, enc) {
    if (typeof x !== 'string') return String.fromCharCode.apply(null, Array.prototype.map.call(x, function (b) { return b & 255; }));
    if (enc === 'hex') return x.replace(/[0-9a-f]{2}/gi, function (h) { return String.fromCharCode(parseInt(h, 16)); });
    return b64(x);
  });
  def(String.prototype, 'fromUTF8', function () { try { return decodeURIComponent(escape(String(this))); } catch (e) { return null; } });
  def(String.prototype, 'toUTF8', function () { return unescape(encodeURIComponent(String(this))); });
  def(String.prototype, 'fromBytes', function () { return String(this); });
  def(String.prototype, 'toBytes', function () { var s = String(this); return /[^\\x00-\\xff]/.test(s) ? null : s; });
})();
`;

function fixDate(): string {
  return `(function () { var D = Date, t = __now; D.now = function () { return t; };
  Date = new Proxy(D, { construct: function (target, args) { return args.length ? new (Function.prototype.bind.apply(target, [null].concat(args)))() : new target(t); }, apply: function () { return new D(t).toString(); } }); })();\n`;
}

function removeGlobals(runtime: CfRuntime): string {
  const keep = runtime === 'cloudfront-js-2.0' ? ['Buffer'] : [];
  const names = LACKING_GLOBALS[runtime].filter((g) => keep.indexOf(g) < 0);
  return `(function (g) { ${names.map((n) => `delete g.${n};`).join(' ')} })(this);`;
}
