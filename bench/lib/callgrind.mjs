// Instructions per request of a CloudFront Function in njs, counted by callgrind (deterministic).
//
// One driver for every function: the events of a case as JSON strings, and a loop that parses
// event i % K (a fresh object each call, as CloudFront hands over) and calls handler(event):
// `lo` calls first (a warm-up pass over the mix), then `hi - lo` calls between two calls of
// Math.cbrt (libm's cbrt, which nothing else in njs or an artifact reaches), so
// `--dump-before=cbrt` makes them a profile part of their own: M, the instructions of hi - lo
// calls and of the loop around them. So:
//   per request = M / (hi - lo)  -  B / (hi - lo)           B: the same driver around
//                                                           `function handler(event) { return event; }`
// lo = K and hi = K * passes: whole passes over the event mix. This gives what two runs of lo and
// hi calls gave, (I(hi) - I(lo)) / (hi - lo).
//
// Batches: valgrind's start-up (~0.45 s a process, more than most functions' measured calls), so
// many functions are counted in one njs process under one callgrind run. Each artifact runs in
// its own function scope, `var __h3 = (function () { <artifact> ;return handler; })();` (an
// `import` line of a runtime 2.0 module is hoisted to the top of the batch, once), and each has
// its own copy of the driver loop above, run one after the other: function j's measured calls are
// profile part 2 + 2j. The baseline is wrapped and driven the same way, so what the wrapping adds
// to a call cancels out. bench/README.md has the check that counts agree with one process per
// function. Each function's own driver is still written beside its artifact (`*.n<lo>-<hi>.js`,
// runnable alone); a batch that fails is counted again that way, one process per function, so
// the error lands on the function that caused it.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { njsPrelude } from '@edgeline/cf-target';
import { rawQueries } from './njs.mjs';

const run = promisify(execFile);

export const BASELINE = 'function handler(event) {\n  return event;\n}\n';

/** Whether an artifact is an ES module (runtime 2.0 importing the cloudfront module: KeyValueStore, origins). */
export const isModule = (code) => /^\s*import\s/m.test(code);

/** The driver loop of one function (`handler` in scope). */
function driverLoop(events, lo, hi, runtime) {
  const json = events.map((e) => JSON.stringify(JSON.stringify(e)));
  // Runtime 2.0 (viewer-request): each parsed event's request gets its rawQueryString(), as
  // CloudFront's has; the baseline pays the same, so it cancels out of the per-request count.
  const raws = rawQueries(events, runtime);
  const attach = raws.some(Boolean)
    ? `var m = methods[i % events.length]; if (m) event.request.rawQueryString = m;\n      `
    : '';
  return `  var events = [
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
`;
}

/**
 * One function alone: what njs has and the runtime lacks is removed first, as the cf-target's njs
 * runner does. `lo` calls, a mark, `hi - lo` calls, a mark. An async handler (runtime 2.0) is
 * called once the previous call's promise settled, as CloudFront runs one request at a time: a
 * call's cost includes its promise jobs. A sync handler's result is not a thenable, so the
 * baseline pays only the test for one.
 */
export function driverScript(code, events, lo, hi, runtime = 'cloudfront-js-1.0') {
  return `${njsPrelude(runtime)}${code}
;(function () {
${driverLoop(events, lo, hi, runtime)}})();
`;
}

/** An artifact's top-level `import` lines (hoisted to the top of a batch) and the rest. */
export function splitImports(code) {
  const imports = [];
  const body = code.replace(/^\s*import\s[^\n]*\n/gm, (line) => {
    imports.push(line.trim());
    return '';
  });
  return { imports, body };
}

/** Rounds of a function's measured calls in a batch, each followed by as many calls of the baseline. */
export const ROUNDS = 3;

/** The segments of function j's measured calls in a batch: [function (0) or baseline (1), calls]. */
function segments(f) {
  const k = f.events.length;
  const passes = (f.hi - f.lo) / k;
  const out = [];
  for (let r = 0; r < ROUNDS; r++) {
    const n = (Math.floor((passes * (r + 1)) / ROUNDS) - Math.floor((passes * r) / ROUNDS)) * k;
    out.push([0, n], [1, n]);
  }
  return out;
}

/** Profile parts of one function in a batch: a mark before each measured segment, one after the last. */
const marksOf = (f) => segments(f).length + 1;

/**
 * Many functions in one script: each artifact in its own function scope (the baseline too), then
 * each function's driver in turn: `lo` calls of it and `lo` of the baseline (warm-up), then its
 * `hi - lo` calls in ROUNDS rounds, each followed by as many calls of the baseline on the same
 * events, a mark (Math.cbrt) between segments. Function and baseline thus run at the same heap
 * (njs frees nothing: a process's heap only grows, and an allocation costs a little more in a
 * bigger heap), and what the batch's earlier functions left costs both alike. The next function
 * starts once the previous one made its last mark.
 */
export function batchScript(fns, runtime) {
  const imports = [];
  const wrap = (name, code) => {
    const { imports: own, body } = splitImports(code);
    for (const line of own) if (!imports.includes(line)) imports.push(line);
    return `var ${name} = (function () {\n${body}\n;return handler;\n})();\n`;
  };
  const wrapped = [wrap('__base', BASELINE), ...fns.map((f, j) => wrap(`__h${j}`, f.code))];
  const runners = fns.map((f, j) => {
    const raws = rawQueries(f.events, runtime);
    const attach = raws.some(Boolean)
      ? `var m = methods[i % events.length]; if (m) event.request.rawQueryString = m;\n      `
      : '';
    return `function __run${j}(done) {
  var F = [__h${j}, __base];
  var events = [
    ${f.events.map((e) => JSON.stringify(JSON.stringify(e))).join(',\n    ')}
  ];
  var methods = ${JSON.stringify(raws)}.map(function (r) { return r && function rawQueryString() { return r[0]; }; });
  var S = ${JSON.stringify([[0, f.lo], [1, f.lo], ...segments(f)])};
  var s = 0, c = 0, i = 0, handler = F[0];
  function fail(e) { console.log('bench: handler threw: ' + e); next(); }
  function next() {
    while (s < S.length) {
      if (c === S[s][1]) {
        s++;
        c = 0;
        if (s < S.length) {
          handler = F[S[s][0]];
          if (s >= 2) Math.cbrt(2);
        }
        continue;
      }
      var event = JSON.parse(events[i % events.length]);
      ${attach}i++;
      c++;
      var r;
      try { r = handler(event); } catch (e) { console.log('bench: handler threw: ' + e); continue; }
      if (r && typeof r.then === 'function') { r.then(next, fail); return; }
    }
    Math.cbrt(2);
    done();
  }
  next();
}
`;
  });
  return `${imports.map((l) => `${l}\n`).join('')}${njsPrelude(runtime)}${wrapped.join('')}${runners.join('')}
;(function () {
  var q = [${fns.map((_, j) => `__run${j}`).join(', ')}];
  var k = 0;
  function go() {
    while (k < q.length) {
      var finished = false, waiting = false;
      q[k++](function () { finished = true; if (waiting) go(); });
      if (!finished) { waiting = true; return; }
    }
  }
  go();
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
 * Runs `file` in njs (safe mode, sandbox: as the runner does; a module finds `cloudfront` beside
 * it) under callgrind, a profile part per Math.cbrt call: { parts: Map(part number => instructions), stdout }.
 */
export async function callgrindParts(file, { module = false, cwd } = {}) {
  const dir = await mkdtemp(join(dirname(file), `.cg-${basename(file)}-`));
  const args = ['--tool=callgrind', '--dump-before=cbrt', '--dump-line=no', `--callgrind-out-file=${join(dir, 'cg.out')}`, 'njs', '-u', '-s'];
  if (module) args.push('-t', 'module', '-p', dirname(file));
  args.push(file);
  try {
    const { stdout } = await run('valgrind', args, { maxBuffer: 64 * 1024 * 1024, cwd });
    const parts = new Map();
    for (const f of await readdir(dir)) {
      const text = await readFile(join(dir, f), 'utf8');
      const part = /^part:\s*(\d+)/m.exec(text);
      const total = /^totals:\s*(\d+)/m.exec(text);
      if (part && total) parts.set(Number(part[1]), Number(total[1]));
    }
    return { parts, stdout };
  } catch (e) {
    throw new Error(`callgrind run of ${file} failed: ${(e.stderr || e.message).slice(-2000)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Instructions between the two marks of one driver of driverScript. */
export async function countInstructions(file, module = false) {
  const { parts } = await callgrindParts(file, { module });
  // Part 1: start-up and the warm-up calls; part 2: the measured calls; part 3: exit.
  if (parts.size !== 3) throw new Error(`expected 3 profile parts, got ${parts.size}: did a handler throw or never settle, or call Math.cbrt?`);
  return parts.get(2);
}

/**
 * Collects the functions to count and queues their callgrind runs on `queue` (a pool of
 * createQueue). add() writes the function's own driver and the baseline's and returns
 * { counts: () => Promise<{ part, base }> }: the instructions of the function's `hi - lo` measured
 * calls and of the baseline's on the same events.
 *
 * mode 'single' (the default): one process per driver, the method the bench's numbers are given
 * in; a driver identical to one already counted (the baseline of cases with the same events and
 * runtime, an artifact that is its reference) is counted once. Each run is queued as soon as the
 * function is added, so counting overlaps the builds.
 *
 * mode 'batch' (BENCH_CALLGRIND=batch): the functions of one `batch` name (an artifact and its
 * reference) in one process, the baseline interleaved with each (batchScript); seal(batch) queues
 * it. About half the callgrind time, but counts move: njs frees nothing, an allocation costs more
 * in a bigger or more fragmented heap, so a function's count depends on what ran before it in its
 * process. Measured against 'single' (bench/README.md): most within 0.5%, some small or
 * allocation-heavy functions 1-5% off. For quick comparisons, not for the numbers of record.
 */
export function createCounter({ dir, queue, mode = 'single' }) {
  const singles = new Map();
  const entries = new Map();
  const pending = new Map();
  let batches = 0;
  const write = async (file, text) => {
    await writeFile(file, text);
    return file;
  };
  /** One process counting one driver, queued once per distinct driver. */
  const single = (file, module, key, weight) => {
    if (!singles.has(key)) {
      const job = () => countInstructions(file, module);
      job.weight = weight;
      singles.set(key, queue.push(job));
    }
    return singles.get(key);
  };
  return {
    async add(code, events, { lo, hi, prefix, basePrefix, runtime, module = false, kvs, batch = prefix }) {
      if (module) await writeFile(`${dirname(prefix)}/cloudfront`, cloudfrontStub(kvs));
      const ext = `n${lo}-${hi}.${module ? 'mjs' : 'js'}`;
      const script = driverScript(code, events, lo, hi, runtime);
      const baseScript = driverScript(BASELINE, events, lo, hi, runtime);
      const file = await write(`${prefix}.${ext}`, script);
      const baseFile = await write(`${basePrefix}.${ext}`, baseScript);
      const group = `${runtime} ${module ? `module ${JSON.stringify(kvs || {})}` : 'script'}`;
      // Callgrind's time is about proportional to the instructions: calls times the event's JSON,
      // parsed each call, plus the function.
      const json = events.reduce((n, e) => n + JSON.stringify(e).length, 0) / Math.max(1, events.length);
      if (mode !== 'batch') {
        const part = single(file, module, `${group}\n${script}`, hi * (json + code.length));
        const base = single(baseFile, module, `${group}\n${baseScript}`, hi * json);
        return { counts: async () => ({ part: await part, base: await base }) };
      }
      const key = `${group}\n${script}`;
      if (!entries.has(key)) {
        const entry = { code, events, lo, hi, runtime, module, kvs, file, baseFile, weight: hi * (2 * json + code.length) };
        entry.promise = new Promise((resolve, reject) => {
          entry.resolve = resolve;
          entry.reject = reject;
        });
        entry.promise.catch(() => {}); // read by counts(); a failure is reported there
        entries.set(key, entry);
        const name = `${batch}\n${group}`;
        if (!pending.has(name)) pending.set(name, []);
        pending.get(name).push(entry);
      }
      const entry = entries.get(key);
      return { counts: () => entry.promise };
    },
    /** Queues the batches of `batch` (mode 'batch'; the functions added to it so far). */
    seal(batch) {
      for (const [name, list] of pending) {
        if (name.split('\n')[0] !== batch) continue;
        pending.delete(name);
        const job = () => runBatch(list, join(dir, `batch-${batches++}`));
        job.weight = list.reduce((w, e) => w + e.weight, 0);
        queue.push(job);
      }
    },
  };
}

async function runBatch(fns, dir) {
  const { runtime, module, kvs } = fns[0];
  await mkdir(dir, { recursive: true });
  if (module) await writeFile(join(dir, 'cloudfront'), cloudfrontStub(kvs));
  const file = join(dir, `driver.${module ? 'mjs' : 'js'}`);
  await writeFile(file, batchScript(fns, runtime));
  let parts;
  try {
    ({ parts } = await callgrindParts(file, { module }));
  } catch {
    parts = new Map();
  }
  if (parts.size === 1 + fns.reduce((n, f) => n + marksOf(f), 0)) {
    // Part 1: start-up and the first warm-up; then per function a part per segment, and one
    // (the next function's warm-up, or exit) after its last mark.
    let at = 2;
    for (const f of fns) {
      const counts = { part: 0, base: 0 };
      for (const [who] of segments(f)) counts[who === 0 ? 'part' : 'base'] += parts.get(at++);
      at++;
      f.resolve(counts);
    }
    return;
  }
  // A handler threw, never settled or called Math.cbrt: one process per function and baseline,
  // as each one's driver runs alone, to find which.
  for (const f of fns) {
    try {
      f.resolve({ part: await countInstructions(f.file, f.module), base: await countInstructions(f.baseFile, f.module) });
    } catch (e) {
      f.reject(e);
    }
  }
}

/** Runs async jobs with at most `width` at a time; the heaviest first when jobs have a `weight`. */
export async function pool(tasks, width) {
  const queue = createQueue(width);
  const results = tasks.map((t) => queue.push(t));
  await queue.drain();
  return Promise.all(results);
}

/**
 * A pool that takes jobs while it runs: push(job) starts it when one of `width` places is free
 * (the heaviest waiting job first, by `weight`) and returns its promise; drain() resolves once
 * every job pushed so far, and those they pushed, settled.
 */
export function createQueue(width) {
  const waiting = [];
  const all = [];
  let running = 0;
  const start = () => {
    while (running < width && waiting.length) {
      let best = 0;
      for (let i = 1; i < waiting.length; i++) if ((waiting[i].job.weight || 0) > (waiting[best].job.weight || 0)) best = i;
      const { job, resolve, reject } = waiting.splice(best, 1)[0];
      running++;
      Promise.resolve().then(job).then(resolve, reject).finally(() => {
        running--;
        start();
      });
    }
  };
  return {
    push(job) {
      const promise = new Promise((resolve, reject) => waiting.push({ job, resolve, reject }));
      promise.catch(() => {}); // the caller reads it
      all.push(promise);
      start();
      return promise;
    },
    /** Jobs pushed so far. */
    get size() {
      return all.length;
    },
    async drain() {
      let n = 0;
      while (n < all.length) {
        const m = all.length;
        await Promise.allSettled(all.slice(n, m));
        n = m;
      }
    },
  };
}
