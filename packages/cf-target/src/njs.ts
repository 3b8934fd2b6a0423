import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_CF_RUNTIME, type CfRuntime } from '@edgeline/core';
import { rawQueryOf, type CffEvent } from '@edgeline/core/runtime';
import type { EmulatorRun } from './emulator.js';
import { njsPrelude } from './rules.js';
import { validateCfResult } from './validate.js';

const run = promisify(execFile);
/** Starts a line of a record the driver prints (a run or a log line), in chunks. */
const MARK = '__EDGELINE_RESULTS__';
/** Ends a record. */
const END = '__EDGELINE_END__';
/**
 * njs cuts a console.log line at 2,047 bytes: a chunk of 500 UTF-16 code units is at most
 * 1,500 bytes of UTF-8 (njs's JSON.stringify leaves non-ASCII as it is).
 */
const CHUNK = 500;
/** njs frees no memory within a run: keep each process to a few thousand invocations. */
const BATCH = 2000;
/** Default time allowed to one njs process (a batch of up to BATCH events). */
const TIMEOUT_MS = 10000;
/** Default time allowed to one event run alone, to tell a hanging event from a slow batch. */
const EVENT_TIMEOUT_MS = 2000;

export interface NjsOptions {
  runtime?: CfRuntime;
  kvs?: Record<string, string>;
  /** The njs binary (default `njs` on PATH). */
  njs?: string;
  /**
   * Time allowed to one njs process, which runs a batch of up to 2,000 events (default 10 s).
   * When it runs out, the event that was running is run again alone (see `eventTimeoutMs`): if
   * it does not finish, its run is `{ ok: false, error: 'timeout ...' }`; the other events of
   * the batch get their results as usual.
   */
  timeoutMs?: number;
  /** Time allowed to one event run alone after its batch timed out (default 2 s, at most `timeoutMs`). */
  eventTimeoutMs?: number;
}

/** Whether the njs CLI is installed (Debian package `njs`). */
export async function hasNjs(bin = 'njs'): Promise<boolean> {
  try {
    await run(bin, ['-v']);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs an artifact on events in njs, the engine whose non-standard API CloudFront Functions
 * share, in safe mode (no Function constructor) and sandbox mode (no fs), with what njs has and
 * the runtime lacks removed (timers, `process`; on 2.0 the njs string methods). Results are
 * checked as CloudFront checks them. What the function logs with `console.log` during an event
 * is that run's `logs` (left out when it logged nothing). A function that does not return
 * (CloudFront would stop it at its compute budget and answer 503) gives a run
 * `{ ok: false, error: 'timeout ...' }` for that event only: see `timeoutMs`.
 */
export async function runInNjs(code: string, events: CffEvent[], options: NjsOptions = {}): Promise<EmulatorRun[]> {
  const out: EmulatorRun[] = [];
  for (let i = 0; i < events.length; i += BATCH) out.push(...(await runEvents(code, events.slice(i, i + BATCH), options)));
  return out;
}

/** Runs a batch; where njs stops early (timeout, a promise never settled), localises the event and goes on after it. */
async function runEvents(code: string, events: CffEvent[], options: NjsOptions): Promise<EmulatorRun[]> {
  const timeoutMs = options.timeoutMs ?? TIMEOUT_MS;
  const eventTimeoutMs = Math.min(options.eventTimeoutMs ?? EVENT_TIMEOUT_MS, timeoutMs);
  const out: EmulatorRun[] = [];
  let rest = events;
  while (rest.length) {
    const batch = await runBatch(code, rest, options, timeoutMs);
    out.push(...batch.runs);
    if (batch.runs.length === rest.length) break;
    // Event `k` was running when njs stopped: run it alone to tell a hang from a slow batch.
    const k = batch.runs.length;
    if (batch.timedOut && rest.length > 1) {
      const alone = await runBatch(code, [rest[k]], options, eventTimeoutMs);
      out.push(alone.runs.length ? alone.runs[0] : stopped(alone, rest[k], eventTimeoutMs));
    } else {
      out.push(stopped(batch, rest[k], timeoutMs));
    }
    rest = rest.slice(k + 1);
  }
  return out;
}

function stopped(batch: Batch, event: CffEvent, ms: number): EmulatorRun {
  const logs = batch.pendingLogs.length ? { logs: batch.pendingLogs } : {};
  if (batch.timedOut) {
    return { ok: false, error: `timeout: the function did not return within ${ms} ms in njs (CloudFront stops it at its compute budget: 503) on ${describe(event)}`, ...logs };
  }
  return { ok: false, error: `the function's promise never settled in njs on ${describe(event)}`, ...logs };
}

function describe(event: CffEvent): string {
  const s = JSON.stringify(event);
  return s.length > 300 ? `${s.slice(0, 300)}... (${s.length} chars)` : s;
}

interface Batch {
  /** The runs of the first events, in order (all of them unless njs stopped early). */
  runs: EmulatorRun[];
  timedOut: boolean;
  /** What the event that was running when njs stopped had logged. */
  pendingLogs: string[];
}

async function runBatch(code: string, events: CffEvent[], options: NjsOptions, timeoutMs: number): Promise<Batch> {
  const runtime = options.runtime ?? DEFAULT_CF_RUNTIME;
  const dir = await mkdtemp(join(tmpdir(), 'edgeline-njs-'));
  try {
    const module = runtime === 'cloudfront-js-2.0';
    const file = join(dir, module ? 'fn.mjs' : 'fn.js');
    const header = module ? "import __edgeCf from 'cloudfront';\n" : '';
    await writeFile(file, `${header}${njsPrelude(runtime)}${logCapture()}${code}\n${driver(events, module, rawQueries(events, runtime))}`);
    const args = ['-u', '-s'];
    if (module) {
      await writeFile(join(dir, 'cloudfront'), cloudfrontStub(options.kvs ?? {}));
      args.push('-t', 'module', '-p', dir);
    }
    args.push(file);
    let stdout: string;
    let timedOut = false;
    try {
      ({ stdout } = await run(options.njs ?? 'njs', args, { maxBuffer: 256 * 1024 * 1024, timeout: timeoutMs, killSignal: 'SIGKILL' }));
    } catch (e) {
      const err = e as { killed?: boolean; signal?: string; stdout?: string; stderr?: string; message: string };
      if (!(err.killed && err.signal === 'SIGKILL')) throw new Error(`njs failed: ${err.stderr || err.stdout || err.message}`);
      timedOut = true;
      stdout = err.stdout ?? '';
    }
    const { ready, runs, pendingLogs } = parseRecords(stdout, events.length);
    // The function did not load (the driver never started): no event can run.
    if (!ready && timedOut) throw new Error(`njs timed out after ${timeoutMs} ms before running any event (the artifact's top-level code?)`);
    if (!ready) throw new Error(`njs printed no results:\n${stdout.slice(0, 2000)}`);
    return {
      timedOut,
      pendingLogs,
      runs: runs.map((r, i) => {
        if (!r.ok) return r;
        try {
          validateCfResult(events[i], r.result);
          return r;
        } catch (e) {
          return { ok: false, error: (e as Error).message, ...(r.logs ? { logs: r.logs } : {}) };
        }
      }),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Reads the driver's records: chunks after MARK up to a line with END, each a JSON
 * `{ log: line }` or `{ run }`. A marker may follow other output on its line
 * (String.bytesFrom prints a deprecation warning without a newline).
 */
function parseRecords(stdout: string, count: number): { ready: boolean; runs: EmulatorRun[]; pendingLogs: string[] } {
  const runs: EmulatorRun[] = [];
  let ready = false;
  let logs: string[] = [];
  let buf = '';
  for (const line of stdout.split('\n')) {
    const at = line.indexOf(MARK);
    const end = line.indexOf(END);
    // A chunk may hold either marker as data (a header value), always after its own MARK.
    if (at >= 0 && (end < 0 || at < end)) {
      buf += line.slice(at + MARK.length);
      continue;
    }
    if (end >= 0) {
      const record = JSON.parse(buf) as { log?: string; run?: EmulatorRun; ready?: 1 };
      buf = '';
      if (record.run) {
        runs.push(logs.length ? { ...record.run, logs } : record.run);
        logs = [];
        if (runs.length === count) break;
      } else if (typeof record.log === 'string') {
        logs.push(record.log);
      } else if (record.ready) {
        ready = true;
      }
    }
  }
  return { ready, runs, pendingLogs: logs };
}

/**
 * Replaces console.log with one that prints each line as a record (chunked, so not cut at 2 KB
 * and never mixed with results), formatted as njs formats it.
 */
function logCapture(): string {
  return `var __print = console.log;
function __emit(o) {
  var s = JSON.stringify(o);
  for (var k = 0; k < s.length; k += ${CHUNK}) __print('${MARK}' + s.slice(k, k + ${CHUNK}));
  __print('${END}');
}
console.log = function () {
  var a = [];
  for (var i = 0; i < arguments.length; i++) { var v = arguments[i]; a.push(typeof v === 'string' ? v : njs.dump(v)); }
  __emit({ log: a.join(' ') });
};
`;
}

/**
 * What `request.rawQueryString()` gives for each event in njs, as JSON can carry it: on
 * cloudfront-js-2.0 a viewer-request event gets `[raw]` (its own method's text, a fixture's,
 * which JSON would lose; else the text of its query object: rawQueryOf), or `[]` when that is
 * undefined (no `?`); null where CloudFront's request has no such method (1.0, viewer-response).
 */
function rawQueries(events: CffEvent[], runtime: CfRuntime): (string[] | null)[] | null {
  if (runtime !== 'cloudfront-js-2.0') return null;
  return events.map((e) => {
    if (!e.context || e.context.eventType !== 'viewer-request') return null;
    const raw = rawQueryOf(e.request);
    return raw === undefined ? [] : [raw];
  });
}

/**
 * Calls the handler on each event in turn (awaiting on runtime 2.0) and prints each run as a
 * record once it is done. `raws[i]` (`[text]` or `[]`) becomes event i's request.rawQueryString().
 */
function driver(events: CffEvent[], module: boolean, raws: (string[] | null)[] | null): string {
  const origin = module ? '__edgeCf.state.origin' : 'undefined';
  const reset = module ? '__edgeCf.state.origin = undefined;' : '';
  const attach = raws
    ? `if (__raws[__i]) Object.defineProperty(e.request, 'rawQueryString', { value: __rawMethod(__raws[__i][0]) });`
    : '';
  return `
var __events = JSON.parse(${jsonLiteral(events)});
${raws ? `var __raws = JSON.parse(${jsonLiteral(raws)});
function __rawMethod(raw) { return function rawQueryString() { return raw; }; }` : ''}
var __i = 0;
function __record(r) {
  var o = ${origin};
  try { __emit({ run: o ? { ok: true, result: r, origin: o } : { ok: true, result: r } }); } catch (err) { __fail('the result is not JSON: ' + (err && err.message || err)); }
}
function __fail(e) { __emit({ run: { ok: false, error: String(e && e.message || e) } }); }
function __next() {
  while (__i < __events.length) {
    var e = __events[__i];
    ${attach}
    __events[__i++] = null;
    ${reset}
    var r;
    try { r = handler(e); } catch (err) { __fail(err); continue; }
    if (r && typeof r.then === 'function') { r.then(function (v) { __record(v); __next(); }, function (err) { __fail(err); __next(); }); return; }
    __record(r);
  }
}
__emit({ ready: 1 });
__next();
`;
}

/**
 * The events as a string literal for JSON.parse, as CloudFront hands them over: in an object
 * literal, a `__proto__` key (a header or query name a viewer sent) would set the prototype.
 */
function jsonLiteral(value: unknown): string {
  return JSON.stringify(JSON.stringify(value)).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function cloudfrontStub(kvs: Record<string, string>): string {
  return `var state = { origin: undefined };
var store = ${JSON.stringify(kvs)};
export default {
  state: state,
  updateRequestOrigin: function (p) { state.origin = p; },
  kvs: function () {
    return { get: function (k) { return Object.prototype.hasOwnProperty.call(store, k) ? Promise.resolve(store[k]) : Promise.reject(new Error('key not found: ' + k)); } };
  }
};
`;
}
