import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CfRuntime } from '@edgeline/core';
import type { CffEvent } from '@edgeline/core/runtime';
import type { EmulatorRun } from './emulator.js';
import { njsPrelude } from './rules.js';
import { validateCfResult } from './validate.js';

const run = promisify(execFile);
const MARK = '__EDGELINE_RESULTS__';
/** njs frees no memory within a run: keep each process to a few thousand invocations. */
const BATCH = 2000;

export interface NjsOptions {
  runtime?: CfRuntime;
  kvs?: Record<string, string>;
  /** The njs binary (default `njs` on PATH). */
  njs?: string;
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
 * checked as CloudFront checks them.
 */
export async function runInNjs(code: string, events: CffEvent[], options: NjsOptions = {}): Promise<EmulatorRun[]> {
  const out: EmulatorRun[] = [];
  for (let i = 0; i < events.length; i += BATCH) out.push(...(await runBatch(code, events.slice(i, i + BATCH), options)));
  return out;
}

async function runBatch(code: string, events: CffEvent[], options: NjsOptions): Promise<EmulatorRun[]> {
  const runtime = options.runtime ?? 'cloudfront-js-1.0';
  const dir = await mkdtemp(join(tmpdir(), 'edgeline-njs-'));
  try {
    const module = runtime === 'cloudfront-js-2.0';
    const file = join(dir, module ? 'fn.mjs' : 'fn.js');
    const header = module ? "import __edgeCf from 'cloudfront';\n" : '';
    await writeFile(file, `${header}${njsPrelude(runtime)}${code}\n${driver(events, module)}`);
    const args = ['-u', '-s'];
    if (module) {
      await writeFile(join(dir, 'cloudfront'), cloudfrontStub(options.kvs ?? {}));
      args.push('-t', 'module', '-p', dir);
    }
    args.push(file);
    const { stdout } = await run(options.njs ?? 'njs', args, { maxBuffer: 256 * 1024 * 1024 });
    // njs cuts a console.log line at 2 KB: the driver prints the results in marked chunks. A marker
    // may follow other output on its line (String.bytesFrom prints a deprecation warning without a newline).
    const chunks = stdout.split('\n').filter((l) => l.indexOf(MARK) >= 0).map((l) => l.slice(l.indexOf(MARK) + MARK.length));
    if (!chunks.length) throw new Error(`njs printed no results:\n${stdout.slice(0, 2000)}`);
    const runs = JSON.parse(chunks.join('')) as EmulatorRun[];
    return runs.map((r, i) => {
      if (!r.ok) return r;
      try {
        validateCfResult(events[i], r.result);
        return r;
      } catch (e) {
        return { ok: false, error: (e as Error).message };
      }
    });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    throw new Error(`njs failed: ${err.stderr || err.stdout || err.message}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Calls the handler on each event in turn (awaiting on runtime 2.0) and prints the results on one marked line. */
function driver(events: CffEvent[], module: boolean): string {
  const origin = module ? '__edgeCf.state.origin' : 'undefined';
  const reset = module ? '__edgeCf.state.origin = undefined;' : '';
  return `
var __events = ${JSON.stringify(events)};
var __out = [];
var __i = 0;
function __record(r) { var o = ${origin}; __out.push(o ? { ok: true, result: r, origin: o } : { ok: true, result: r }); }
function __fail(e) { __out.push({ ok: false, error: String(e && e.message || e) }); }
function __next() {
  while (__i < __events.length) {
    var e = __events[__i++];
    ${reset}
    var r;
    try { r = handler(e); } catch (err) { __fail(err); continue; }
    if (r && typeof r.then === 'function') { r.then(function (v) { __record(v); __next(); }, function (err) { __fail(err); __next(); }); return; }
    __record(r);
  }
  var s = JSON.stringify(__out);
  for (var k = 0; k < s.length; k += 1000) console.log('${MARK}' + s.slice(k, k + 1000));
}
__next();
`;
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
