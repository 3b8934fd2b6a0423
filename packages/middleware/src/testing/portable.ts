import { execFile } from 'node:child_process';
import * as nodeCrypto from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as nodeQuerystring from 'node:querystring';
import { promisify } from 'node:util';
import { runInNewContext } from 'node:vm';
import { parse } from 'acorn';
import ts from 'typescript';
import { configLiteral, hookSource, type Middleware } from '@edgeline/core';

// Test support, not part of the package's API: runs one hook, lowered to ES5 the way the
// CloudFront Functions target lowers it (TypeScript 5.9, target ES5), in njs (the engine
// CloudFront Functions share) and in a Node vm context, on a minimal context of plain objects.
// It proves the hook's own code is ES5 without helpers and gives the same results in both
// engines; artifact-level runs (adapters included) are @edgeline/cf-target's tests.

const run = promisify(execFile);
const MARK = '@@EDGELINE@@';

/** What one case gives a hook. Header names in lower case. */
export interface HookCase {
  uri?: string;
  /** The encoded query string, as `ctx.request.querystring.toString()` returns it. */
  query?: string;
  headers?: Record<string, string>;
  country?: string;
  status?: number;
  responseHeaders?: Record<string, string>;
  /** The KeyValueStore `ctx.kvs` reads. */
  kvs?: Record<string, string>;
}

export interface HookRun {
  /** What the hook returned (an answer), null for undefined, or `{ thrown }`. */
  result: unknown;
  headers: Record<string, string>;
  responseHeaders: Record<string, string>;
  origin: unknown;
}

/** The hook's source lowered to ES5; throws if it needs a helper or is not ES5 afterwards. */
export function lowerHook(mw: Middleware, hook: 'request' | 'response'): string {
  const fn = mw[hook];
  if (!fn) throw new Error(`${mw.name} has no ${hook} hook`);
  const out = ts.transpileModule(`var __hook = ${hookSource(mw.name, hook, fn)};`, {
    compilerOptions: { target: ts.ScriptTarget.ES5, module: ts.ModuleKind.None, removeComments: true, noEmitHelpers: true },
    reportDiagnostics: false,
  }).outputText;
  const helper = /\b(__assign|__spreadArray|__spread|__values|__read|__rest|__awaiter|__generator|__extends|__makeTemplateObject)\b/.exec(out);
  if (helper) throw new Error(`${mw.name}'s ${hook} hook needs the TypeScript helper ${helper[1]} once lowered to ES5`);
  parse(out, { ecmaVersion: 5 });
  return out;
}

const DRIVER = String.raw`
function __map(o) {
  return {
    get: function (n) { var v = o[n.toLowerCase()]; return v === undefined ? undefined : v; },
    getAll: function (n) { var v = o[n.toLowerCase()]; return v === undefined ? [] : [v]; },
    has: function (n) { return o[n.toLowerCase()] !== undefined; },
    set: function (n, v) { o[n.toLowerCase()] = v; },
    append: function (n, v) { var k = n.toLowerCase(); o[k] = o[k] === undefined ? v : o[k] + ', ' + v; },
    'delete': function (n) { delete o[n.toLowerCase()]; },
    names: function () { return Object.keys(o); }
  };
}
function __ctx(c, state) {
  var q = c.query || '';
  return {
    eventType: 'viewer-request',
    request: { method: 'GET', uri: c.uri || '/', headers: __map(state.headers), querystring: { toString: function () { return q; } }, cookies: __map({}) },
    response: { status: c.status || 200, statusDescription: 'OK', headers: __map(state.responseHeaders) },
    viewer: { ip: '198.51.100.11', country: c.country },
    requestId: 'req-1',
    respond: function (init) { return init; },
    redirect: function (location, status) { return { status: status || 302, location: location }; },
    setOrigin: function (o) { state.origin = o; },
    kvs: function (k) { return Promise.resolve(c.kvs && Object.prototype.hasOwnProperty.call(c.kvs, k) ? c.kvs[k] : undefined); }
  };
}
function __copy(o) { var r = {}; if (o) for (var k in o) r[k.toLowerCase()] = o[k]; return r; }
// njs cuts a console.log line at 2 KB: the JSON goes out in marked pieces of 400 characters.
function __report(i, state, result) {
  var s = JSON.stringify({ result: result === undefined ? null : result, headers: state.headers, responseHeaders: state.responseHeaders, origin: state.origin === undefined ? null : state.origin });
  var n = Math.ceil(s.length / 400);
  for (var p = 0; p < n; p++) console.log('${MARK}' + i + ' ' + p + ' ' + n + ' ' + s.slice(p * 400, (p + 1) * 400));
}
for (var __i = 0; __i < __cases.length; __i++) {
  (function (i) {
    var state = { headers: __copy(__cases[i].headers), responseHeaders: __copy(__cases[i].responseHeaders), origin: undefined };
    var r;
    try { r = __hook(__ctx(__cases[i], state), __config); } catch (e) { __report(i, state, { thrown: String(e) }); return; }
    if (r && typeof r.then === 'function') r.then(function (v) { __report(i, state, v); }, function (e) { __report(i, state, { thrown: String(e) }); });
    else __report(i, state, r);
  })(__i);
}
`;

function script(mw: Middleware, hook: 'request' | 'response', cases: HookCase[]): string {
  return `var __config = ${configLiteral(mw.name, mw.config)};\nvar __cases = ${JSON.stringify(cases)};\n${lowerHook(mw, hook)}\n${DRIVER}`;
}

function collect(lines: string[], count: number): HookRun[] {
  const pieces: string[][] = [];
  for (const line of lines) {
    const at = line.indexOf(MARK);
    if (at < 0) continue;
    const m = /^(\d+) (\d+) (\d+) ([\s\S]*)$/.exec(line.slice(at + MARK.length));
    if (!m) throw new Error(`unreadable result line: ${line.slice(0, 200)}`);
    (pieces[Number(m[1])] ||= new Array(Number(m[3])))[Number(m[2])] = m[4];
  }
  const runs: HookRun[] = [];
  for (let i = 0; i < count; i++) {
    if (!pieces[i] || [...pieces[i]].some((p) => p === undefined)) throw new Error(`no result for case ${i}: ${lines.join('\n').slice(0, 2000)}`);
    runs.push(JSON.parse(pieces[i].join('')) as HookRun);
  }
  return runs;
}

/** Runs the lowered hook on each case in njs (safe mode, sandbox), with CloudFront's lacking timers and `process` removed. */
export async function runInNjs(mw: Middleware, hook: 'request' | 'response', cases: HookCase[]): Promise<HookRun[]> {
  const dir = await mkdtemp(join(tmpdir(), 'edgeline-mw-njs-'));
  try {
    const file = join(dir, 'hook.js');
    await writeFile(file, `var setTimeout, setInterval, clearTimeout, process;\n${script(mw, hook, cases)}`);
    const { stdout } = await run('njs', ['-u', '-s', file], { maxBuffer: 64 * 1024 * 1024 });
    return collect(stdout.split('\n'), cases.length);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The same lowered script in a fresh Node vm context that offers only what CloudFront Functions 1.0 do. */
export async function runInNode(mw: Middleware, hook: 'request' | 'response', cases: HookCase[]): Promise<HookRun[]> {
  const lines: string[] = [];
  const modules: Record<string, unknown> = { crypto: nodeCrypto, querystring: nodeQuerystring };
  runInNewContext(script(mw, hook, cases), {
    console: { log: (s: string) => lines.push(s) },
    require: (m: string) => {
      if (!(m in modules)) throw new Error(`CloudFront Functions have no module '${m}'`);
      return modules[m];
    },
  });
  // Let a hook's promise (KeyValueStore reads) settle.
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  return collect(lines, cases.length);
}

/** Both engines; the test asserts they agree and what they give. */
export async function runPortably(mw: Middleware, hook: 'request' | 'response', cases: HookCase[]): Promise<{ njs: HookRun[]; node: HookRun[] }> {
  const [njs, node] = await Promise.all([runInNjs(mw, hook, cases), runInNode(mw, hook, cases)]);
  return { njs, node };
}
