// Child process of bench/run.mjs (node --expose-gc): times Lambda@Edge modules side by side.
// argv[2] is a JSON job: { files, events, iterations, rounds, warmup, loads }.
// Prints [{ loadUs: number[], nsPerRequest: number[] }] (one per file, in order) as JSON.
//
// - Module load: the CommonJS wrapper compiled and run as Node's loader does (compileFunction),
//   `loads` times per module, each with a distinct trailing comment so V8's compilation cache
//   cannot help.
// - Per request: rounds of `iterations` calls of `await handler(event, context)`, each on its own
//   copy of an event of the mix (handlers mutate events; copying is not timed). The modules take turns round by round, so drift on a busy machine hits them alike.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { compileFunction } from 'node:vm';

const job = JSON.parse(readFileSync(process.argv[2], 'utf8'));

function load(file, code, i) {
  const module = { exports: {} };
  const wrapper = compileFunction(`${code}\n//${i}`, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: file });
  wrapper(module.exports, createRequire(file), module, file, dirname(file));
  if (typeof module.exports.handler !== 'function') throw new Error(`${file} exports no handler`);
  return module.exports.handler;
}

function copy(v) {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const a = new Array(v.length);
    for (let i = 0; i < v.length; i++) a[i] = copy(v[i]);
    return a;
  }
  const o = {};
  for (const k in v) o[k] = copy(v[k]);
  return o;
}

const context = {
  functionName: 'edgeline-bench',
  functionVersion: '1',
  awsRequestId: '00000000-0000-4000-8000-000000000000',
  memoryLimitInMB: '128',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 5000,
};

const modules = job.files.map((file) => ({ file, code: readFileSync(file, 'utf8'), handler: undefined, loadUs: [], nsPerRequest: [] }));
for (let i = 0; i < job.loads; i++) {
  for (const m of modules) {
    const t0 = process.hrtime.bigint();
    m.handler = load(m.file, m.code, i);
    m.loadUs.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
}

// Events are copied in small batches just before they are used, so each call finds its event
// in cache as it would after the runtime's JSON.parse; only the calls are timed.
const BATCH = 32;
const batch = new Array(BATCH);
const k = job.events.length;
const calls = Math.ceil(job.iterations / BATCH) * BATCH;
async function round(handler) {
  let next = 0;
  let ns = 0n;
  for (let done = 0; done < calls; done += BATCH) {
    for (let i = 0; i < BATCH; i++) batch[i] = copy(job.events[next++ % k]);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i++) await handler(batch[i], context);
    ns += process.hrtime.bigint() - t0;
  }
  return Number(ns) / calls;
}

// One full gc before timing, none between rounds: a forced full gc collects the hidden classes
// optimized code depends on and deoptimizes it ("weak objects"), which a warm Lambda does not see
// every few thousand requests.
globalThis.gc();
for (let r = 0; r < job.warmup + job.rounds; r++) {
  for (const m of modules) {
    const ns = await round(m.handler);
    if (r >= job.warmup) m.nsPerRequest.push(ns);
  }
}
process.stdout.write(JSON.stringify(modules.map((m) => ({ loadUs: m.loadUs, nsPerRequest: m.nsPerRequest }))));
