// Instructions per request of a CloudFront Function in njs, counted by callgrind (deterministic).
//
// One driver for every function: the events of a case as JSON strings, and a loop that parses
// event i % K (a fresh object each call, as CloudFront hands over) and calls handler(event):
// `lo` calls first (a warm-up pass over the mix, with start-up and parsing), then `hi - lo` calls
// between two calls of Math.cbrt (libm's cbrt, which nothing else in njs or an artifact reaches),
// so `--dump-before=cbrt` makes them a profile part of their own: M, the instructions of
// hi - lo calls and of the loop around them. So:
//   per request = M / (hi - lo)  -  B / (hi - lo)           B: the same driver around
//                                                           `function handler(event) { return event; }`
// lo = K and hi = K * passes: whole passes over the event mix. This gives what two runs of lo and
// hi calls gave, (I(hi) - I(lo)) / (hi - lo), from one process: valgrind's start-up (~0.7 s)
// is most of a run's time.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { njsPrelude } from '@edgeline/cf-target';
import { rawQueries } from './njs.mjs';

const run = promisify(execFile);

export const BASELINE = 'function handler(event) {\n  return event;\n}\n';

/** Whether an artifact is an ES module (runtime 2.0 importing the cloudfront module: KeyValueStore, origins). */
export const isModule = (code) => /^\s*import\s/m.test(code);

/**
 * What njs has and the runtime lacks is removed first, as the cf-target's njs runner does. `lo`
 * calls, a mark, `hi - lo` calls, a mark. An async handler (runtime 2.0) is called once the
 * previous call's promise settled, as CloudFront runs one request at a time: a call's cost
 * includes its promise jobs. A sync handler's result is not a thenable, so the baseline pays only
 * the test for one.
 */
export function driverScript(code, events, lo, hi, runtime = 'cloudfront-js-1.0') {
  const json = events.map((e) => JSON.stringify(JSON.stringify(e)));
  // Runtime 2.0 (viewer-request): each parsed event's request gets its rawQueryString(), as
  // CloudFront's has; the baseline pays the same, so it cancels out of the per-request count.
  const raws = rawQueries(events, runtime);
  const attach = raws.some(Boolean)
    ? `var m = methods[i % events.length]; if (m) event.request.rawQueryString = m;\n      `
    : '';
  return `${njsPrelude(runtime)}${code}
;(function () {
  var events = [
    ${json.join(',\n    ')}
  ];
  var methods = ${JSON.stringify(raws)}.map(function (r) { return r && function rawQueryString() { return r[0]; }; });
  var lo = ${lo}, n = ${hi}, i = 0;
  function fail(e) { console.log('bench: handler threw: ' + e); next(); }
  function next() {
    while (i < n) {
      if (i === lo) Math.cbrt(2);
      var event = JSON.parse(events[i % events.length]);
      ${attach}i++;
      var r;
      try { r = handler(event); } catch (e) { console.log('bench: handler threw: ' + e); continue; }
      if (r && typeof r.then === 'function') { r.then(next, fail); return; }
    }
    Math.cbrt(2);
  }
  next();
})();
`;
}

/** The cloudfront module an artifact imports, with the case's KeyValueStore (as @edgeline/cf-target's runInNjs stubs it). */
export function cloudfrontStub(kvs = {}) {
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

/**
 * Instructions between the two marks of one njs run of `file` (safe mode, sandbox: as the runner
 * does; a module finds `cloudfront` beside it).
 */
export async function countInstructions(file, module = false) {
  const dir = await mkdtemp(join(dirname(file), `.cg-${basename(file)}-`));
  const args = ['--tool=callgrind', '--dump-before=cbrt', '--dump-line=no', `--callgrind-out-file=${join(dir, 'cg.out')}`, 'njs', '-u', '-s'];
  if (module) args.push('-t', 'module', '-p', dirname(file));
  args.push(file);
  try {
    await run('valgrind', args, { maxBuffer: 64 * 1024 * 1024 });
    const parts = new Map();
    for (const f of await readdir(dir)) {
      const text = await readFile(join(dir, f), 'utf8');
      const part = /^part:\s*(\d+)/m.exec(text);
      const total = /^totals:\s*(\d+)/m.exec(text);
      if (part && total) parts.set(Number(part[1]), Number(total[1]));
    }
    // Part 1: start-up and the warm-up calls; part 2: the measured calls; part 3: exit.
    if (parts.size !== 3) throw new Error(`expected 3 profile parts, got ${parts.size}: did a handler throw or never settle, or call Math.cbrt?`);
    return parts.get(2);
  } catch (e) {
    throw new Error(`callgrind run of ${file} failed: ${e.stderr || e.message}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// Identical drivers (the baseline of cases that share an event mix, such as the chains of one
// kind) are counted once.
const counted = new Map();

/**
 * Writes the driver of one function and returns the job that counts its measured part. `module`:
 * run as an ES module (the baseline of a module artifact too, so both run alike), with `kvs` as
 * the store of a `cloudfront` module written beside the driver.
 */
export async function driverJobs(code, events, { lo, hi, prefix, runtime, module = false, kvs }) {
  if (module) await writeFile(`${dirname(prefix)}/cloudfront`, cloudfrontStub(kvs));
  const file = `${prefix}.n${lo}-${hi}.${module ? 'mjs' : 'js'}`;
  const script = driverScript(code, events, lo, hi, runtime);
  await writeFile(file, script);
  const memo = `${module ? `module ${JSON.stringify(kvs || {})}\n` : ''}${script}`;
  return {
    part: () => {
      if (!counted.has(memo)) counted.set(memo, countInstructions(file, module));
      return counted.get(memo);
    },
  };
}

/** Runs async jobs with at most `width` at a time. */
export async function pool(tasks, width) {
  const results = new Array(tasks.length);
  let next = 0;
  async function worker() {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  }
  await Promise.all(Array.from({ length: Math.min(width, tasks.length) }, worker));
  return results;
}
