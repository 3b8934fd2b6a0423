// `npm run bench`: every case of bench/cases.mjs built for CloudFront Functions and Lambda@Edge,
// each artifact measured next to its hand-written reference (bench/reference/). See
// bench/README.md for the method. Prints a table; writes bench/.out/results.json.
// The ratios only report (those over target are flagged in the table); the cost check of the
// worst requests (bench/cost.mjs, issue 12) fails the run: exit code 1 when one is over budget.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual, promisify } from 'node:util';
import { transform } from 'esbuild';
import { DEFAULT_CF_RUNTIME } from '@edgeline/core';
import { lambdaEvent, toOutcome, viewerRequest, viewerResponse } from '@edgeline/core/testing';
import { buildCf, checkArtifact, hasNjs, runInNjs } from '@edgeline/cf-target';
import { loadEntry } from '@edgeline/cli';
import { cases } from './cases.mjs';
import { prepareCostCheck } from './cost.mjs';
import { createCounter, createQueue, isModule } from './lib/callgrind.mjs';
import { runNjs } from './lib/njs.mjs';
import { benchColdBuilds, COLD_BUILD_TARGET_MS } from './lib/cold-build.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
// BENCH_OUT lets two runs side by side keep out of each other's files.
const OUT = process.env.BENCH_OUT || join(HERE, '.out');
const REF = join(HERE, 'reference');
const EXAMPLES = join(HERE, '..', 'examples');
const execFileP = promisify(execFile);

const SETTINGS = {
  cf: { runtimes: ['cloudfront-js-1.0', 'cloudfront-js-2.0'], passes: 10, targetBytes: 1.1, targetCost: 1.2 },
  lambda: { node: 'nodejs22.x', iterations: 2000, rounds: 15, warmup: 5, loads: 11, targetCost: 1.2 },
};
const only = process.argv.slice(2);

const log = (s = '') => process.stdout.write(`${s}\n`);
const notes = [];
const note = (s) => {
  notes.push(s);
  log(`  note: ${s}`);
};

// ---------------------------------------------------------------------------------------------

// The CommonJS build, as the edge CLI loads it: hooks are lowered from their source text, and
// the ESM build's bundler turns a hook's require('crypto') into __require('crypto'), which the
// lowering refuses (NotPortableError).
const middleware = (() => {
  try {
    return createRequire(import.meta.url)('@edgeline/middleware');
  } catch (e) {
    note(`@edgeline/middleware does not load (${e.message.split('\n')[0]}): cases that use it are skipped`);
    return {};
  }
})();
const lambdaTarget = await import('@edgeline/lambda-target').catch(() => ({}));
let lambdaReady = typeof lambdaTarget.buildLambda === 'function';
if (!lambdaReady) note('lambda-target not built yet: Lambda@Edge rows skipped');

const tools = { njs: await hasNjs(), valgrind: await has('valgrind', ['--version']) };
if (!tools.njs) note('njs is not installed (apt-get install -y njs): CloudFront Function costs and checks skipped');
if (!tools.valgrind) note('valgrind is not installed (apt-get install -y valgrind): CloudFront Function instruction counts skipped');

await rm(join(OUT, 'cf'), { recursive: true, force: true });
await rm(join(OUT, 'lambda'), { recursive: true, force: true });

const rows = [];
const skipped = [];
const cfCounts = [];
// Callgrind runs start as soon as their drivers are written (counts are deterministic: they may
// share the cores with the builds), two at a time on two cores.
const WIDTH = Math.max(1, availableParallelism());
const queue = createQueue(WIDTH);
const CALLGRIND_MODE = process.env.BENCH_CALLGRIND === 'batch' ? 'batch' : 'single';
const counter = createCounter({ dir: join(OUT, 'cf', '.batches'), queue, mode: CALLGRIND_MODE });
const t0Counts = Date.now();
const lambdaTimings = [];

for (const c of cases) {
  if (only.length && !only.includes(c.name)) continue;
  log(`\n# ${c.name}`);
  const missing = (c.uses || []).filter((n) => typeof middleware[n] !== 'function');
  if (missing.length) {
    const reason = `@edgeline/middleware does not export ${missing.join(', ')} yet`;
    skipped.push({ case: c.name, reason });
    note(`${c.name} skipped: ${reason}`);
    continue;
  }
  let pipeline;
  try {
    pipeline = c.example ? await loadEntry(join(EXAMPLES, c.example, 'edge.ts')) : c.pipeline(middleware);
  } catch (e) {
    skipped.push({ case: c.name, reason: `pipeline: ${e.message}` });
    note(`${c.name} skipped: its pipeline ${c.example ? 'does not load' : 'throws'}: ${e.message}`);
    continue;
  }
  for (const { target, runtime } of targetsOf(c)) {
    if (target === 'lambda' && !lambdaReady) continue;
    try {
      await (target === 'cf' ? benchCf(c, pipeline, runtime) : benchLambda(c, pipeline));
    } catch (e) {
      const why = `${e.name}: ${e.message.split('\n')[0]}`;
      rows.push({ case: c.name, target, runtime, eventType: '-', error: `build threw ${why}` });
      note(`${c.name} ${target}${runtime ? ` ${runtime}` : ''} build threw ${why}`);
    }
  }
}
if (!only.length) {
  for (const example of examplesForCf()) {
    if (!cases.some((c) => c.example === example)) note(`examples/${example} builds for cf but no case of bench/cases.mjs measures it`);
  }
}

// The cost check's runs join the same queue (the heaviest waiting run goes first).
let costCheck;
if (tools.njs && tools.valgrind) {
  // `cost` runs all of it; a case name selects the example it measures; `jwtVerify` or an example folder selects itself.
  const costOnly = only.includes('cost') ? [] : only.map((n) => cases.find((c) => c.name === n)?.example ?? n);
  if (!only.length || only.includes('cost') || costOnly.length) costCheck = await prepareCostCheck({ middleware, outDir: OUT, only: costOnly, log });
  if (costCheck) notes.push(...costCheck.notes);
} else {
  note('cost check of the worst requests skipped: it needs njs and valgrind');
}
// The counts: the table's runs, queued while the cases were built, and the cost check's.
if (costCheck) for (const job of costCheck.jobs) queue.push(job);
if (cfCounts.length || (costCheck && costCheck.jobs.length)) {
  log(`\ncounting instructions: callgrind runs of njs, ${WIDTH} at a time (${CALLGRIND_MODE === 'batch' ? 'BENCH_CALLGRIND=batch: an artifact and its reference in one process' : 'one process per function'})...`);
  const t0 = Date.now();
  await queue.drain();
  await Promise.all(cfCounts);
  log(`  ${queue.size} callgrind runs (${costCheck ? costCheck.jobs.length : 0} for the cost check), done ${((Date.now() - t0) / 1000).toFixed(1)} s after the last build (${((Date.now() - t0Counts) / 1000).toFixed(1)} s since the first run was queued)`);
}
if (lambdaTimings.length) {
  log(`\ntiming Lambda@Edge handlers: ${lambdaTimings.length} modules...`);
  const t0 = Date.now();
  for (const t of lambdaTimings) {
    try {
      await t();
    } catch (e) {
      note(`a Lambda@Edge timing failed: ${e.message.split('\n')[0]}`);
    }
  }
  log(`  done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

printTable(rows);
const cost = costCheck ? costCheck.finish() : undefined;
if (cost && !cost.ok) process.exitCode = 1;

// `node bench/run.mjs cold-build` runs this part alone.
let coldBuilds = [];
if (!only.length || only.includes('cold-build')) {
  log(`\ncold edge build: CPU of a new process per build (two at a time; the median of 3 for one within 20% of the target), target under ${COLD_BUILD_TARGET_MS} ms`);
  const examples = readdirSync(EXAMPLES).filter((name) => existsSync(join(EXAMPLES, name, 'example.json')));
  const bin = join(HERE, '..', 'packages', 'cli', 'bin', 'edge.js');
  coldBuilds = await benchColdBuilds({ root: join(HERE, '..'), examples, bin, log });
}

await mkdir(OUT, { recursive: true });
const results = {
  date: new Date().toISOString(),
  machine: { node: process.version, njs: await version('njs', ['-v']), valgrind: await version('valgrind', ['--version']), cpus: availableParallelism() },
  settings: SETTINGS,
  rows,
  coldBuilds,
  cost: cost && { ok: cost.ok, budgetPerByte: cost.budgetPerByte, forgedMaxRatio: cost.forgedMaxRatio, failures: cost.failures, rows: cost.rows, forged: cost.forged },
  skipped,
  notes,
};
await writeFile(join(OUT, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
log(`\nwrote ${relative(process.cwd(), join(OUT, 'results.json'))}`);
if (cost && !cost.ok) log(`\nbench FAILED: ${cost.failures.length} worst request(s) over the cost budget (see "Cost of the worst requests" above)`);
// Printed last (issue 14): the worst bytes and instructions ratios of the table.
log(`\n${largestRatios(rows)}`);

// ---------------------------------------------------------------------------------------------

/**
 * What a case is built for: its example's targets (example.json), else the CloudFront runtimes
 * it lists (`runtimes`, default cloudfront-js-1.0) and Lambda@Edge (unless `lambda: false`).
 */
function targetsOf(c) {
  if (!c.example) {
    const cf = (c.runtimes || ['cloudfront-js-1.0']).map((runtime) => ({ target: 'cf', runtime }));
    return c.lambda === false ? cf : [...cf, { target: 'lambda' }];
  }
  const { targets } = JSON.parse(readFileSync(join(EXAMPLES, c.example, 'example.json'), 'utf8'));
  // `auto` builds what its cf and lambda targets build: measured once, as those.
  return targets.filter((spec) => spec !== 'auto').map((spec) => {
    const [target, runtime] = spec.split(':');
    return target === 'cf' ? { target, runtime: runtime || DEFAULT_CF_RUNTIME } : { target };
  });
}

function examplesForCf() {
  return readdirSync(EXAMPLES).filter((name) => {
    const file = join(EXAMPLES, name, 'example.json');
    return existsSync(file) && JSON.parse(readFileSync(file, 'utf8')).targets.some((t) => t.split(':')[0] === 'cf');
  });
}

/** The hand-written reference for a cf artifact: the runtime's own, else the 1.0 one where it passes the runtime's checks. */
function cfReferenceFile(c, eventType, runtime) {
  const own = join(REF, runtime === 'cloudfront-js-1.0' ? '' : runtime.replace('cloudfront-', 'cf-'), `${c.name}.${eventType}.js`);
  return existsSync(own) ? own : join(REF, `${c.name}.${eventType}.js`);
}

/**
 * A CloudFront reference minified as the cf-target minifies ours: the body as a script (esbuild
 * would rename a module's top-level `handler`), the `import cf from 'cloudfront'` line put back
 * in front as it is.
 */
async function minifyCfReference(source, runtime) {
  const imports = [];
  const body = source.replace(/^\s*import\s[^\n]*\n/gm, (line) => {
    imports.push(line.trim());
    return '';
  });
  const { code } = await transform(body, { minify: true, target: runtime === 'cloudfront-js-1.0' ? 'es5' : 'es2017', legalComments: 'none', charset: 'utf8' });
  return imports.map((l) => `${l}\n`).join('') + code;
}

/** Event inits of the phase an event type belongs to. */
function initsFor(c, eventType) {
  return eventType.endsWith('-request') ? c.requests || [] : c.responses || [];
}

async function benchCf(c, pipeline, runtime) {
  const result = await buildCf({ pipeline, runtime });
  if (!result.ok) {
    const why = result.violations.map((v) => `${v.middleware}: ${v.why}`).join('; ');
    rows.push({ case: c.name, target: 'cf', runtime, eventType: '-', error: `build rejected: ${why}` });
    note(`${c.name} cf ${runtime} build rejected: ${why}`);
    return;
  }
  for (const artifact of result.artifacts) {
    const { eventType } = artifact;
    const dir = join(OUT, 'cf', runtime, c.name);
    await mkdir(dir, { recursive: true });
    const inits = initsFor(c, eventType);
    const events = inits.map((init) => (eventType === 'viewer-request' ? viewerRequest(init) : viewerResponse(init)));
    const row = { case: c.name, target: 'cf', runtime, eventType, events: events.length, ours: { bytes: artifact.bytes }, ref: null };
    rows.push(row);
    await writeFile(join(dir, `${eventType}.ours.js`), artifact.code);
    log(`  cf ${runtime} ${eventType}: ours ${artifact.bytes} B (${artifact.middleware.join(', ')})`);
    if (!events.length) {
      note(`${c.name} has no ${eventType} events: cf ${eventType} not measured`);
      continue;
    }
    // An artifact that imports the cloudfront module (KeyValueStore) runs as an ES module, with the
    // case's `kvs` as the store, as @edgeline/cf-target's runInNjs runs it.
    const module = isModule(artifact.code);

    // A case's own generator (the chains: bench/reference/chains.mjs), else the reference file.
    const generated = c.reference ? c.reference(runtime, eventType) : undefined;
    const refFile = generated === undefined ? cfReferenceFile(c, eventType, runtime) : join(dir, `${eventType}.ref-source.js`);
    if (generated !== undefined) await writeFile(refFile, generated);
    let refCode;
    if (existsSync(refFile)) {
      refCode = await minifyCfReference(await readFile(refFile, 'utf8'), runtime);
      row.ref = { file: generated === undefined ? relative(process.cwd(), refFile) : `${c.referenceFrom} (${relative(process.cwd(), refFile)})`, bytes: Buffer.byteLength(refCode) };
      await writeFile(join(dir, `${eventType}.ref.js`), refCode);
      log(`  cf ${runtime} ${eventType}: reference ${row.ref.bytes} B`);
      const problems = checkArtifact(refCode, runtime);
      if (problems.length) note(`${c.name} cf ${runtime} ${eventType}: the reference ${relative(process.cwd(), refFile)} fails the artifact checks: ${problems.map((p) => p.message).join('; ')}`);
    } else {
      note(`${c.name}: no reference ${relative(process.cwd(), refFile)}`);
    }

    if (!tools.njs) continue;
    if (refCode) row.equivalence = await compareCf(eventType, artifact.code, refCode, events, runtime, c.kvs);
    if (!tools.valgrind) continue;
    const k = events.length;
    const lo = k;
    const hi = k * (c.passes || SETTINGS.cf.passes);
    const opts = (who, mod = module) => ({
      lo, hi, runtime, module: mod, kvs: c.kvs,
      prefix: join(dir, `${eventType}.${who}`),
      basePrefix: join(dir, `${eventType}.baseline${mod === module ? '' : `-${who}`}`),
      batch: `${c.name} ${runtime} ${eventType}`,
    });
    // The reference first: the smaller one usually, and each function's count is nearest to its
    // count alone when what ran before it in the process left little (bench/lib/callgrind.mjs).
    const handles = {};
    if (refCode) handles.ref = await counter.add(refCode, events, opts('ref', module || isModule(refCode)));
    handles.ours = await counter.add(artifact.code, events, opts('ours'));
    counter.seal(`${c.name} ${runtime} ${eventType}`);
    const counts = {};
    for (const [who, h] of Object.entries(handles)) {
      cfCounts.push(h.counts().then((x) => {
        counts[who] = x;
      }, (e) => {
        row.countError = e.message.split('\n')[0];
      }));
    }
    // Filled in once every count of this artifact is in (the pool runs them all before printing).
    row.finish = () => {
      if (row.countError) return note(`${c.name} cf ${runtime} ${eventType}: ${row.countError}`);
      const per = (x) => x / (hi - lo);
      row.driverInstrPerReq = Math.round(per(counts.ours.base));
      row.calls = { lo, hi };
      row.ours.instrPerReq = Math.round(per(counts.ours.part - counts.ours.base));
      if (row.ref) row.ref.instrPerReq = Math.round(per(counts.ref.part - counts.ref.base));
      row.raw = counts;
    };
  }
}

/**
 * Runs ours and the reference on the same events in njs and compares the outcomes. A module or an
 * async handler runs in @edgeline/cf-target's runInNjs (it imports the cloudfront module, with
 * `kvs` as the store, and awaits the handler); a script in the bench's runNjs.
 */
async function compareCf(eventType, ours, ref, events, runtime, kvs) {
  const runner = (code) => (isModule(code) || /\basync\s+function\s+handler\b/.test(code)
    ? runInNjs(code, events, { runtime, kvs: kvs || {} })
    : runNjs(code, events, runtime));
  try {
    const [a, b] = await Promise.all([runner(ours), runner(ref)]);
    return compare(eventType, events, a, b);
  } catch (e) {
    return { same: false, error: e.message };
  }
}

function compare(eventType, events, a, b) {
  const outcome = (r) => {
    if (!r.ok) return { error: r.error };
    const { raw, ...o } = toOutcome(eventType, r.result);
    void raw;
    return o;
  };
  const mismatches = [];
  for (let i = 0; i < events.length; i++) {
    const x = outcome(a[i]);
    const y = outcome(b[i]);
    if (!isDeepStrictEqual(x, y)) mismatches.push({ event: i, ours: x, ref: y });
  }
  return { same: mismatches.length === 0, events: events.length, mismatches };
}

async function benchLambda(c, pipeline) {
  let result;
  try {
    result = await lambdaTarget.buildLambda({ pipeline, node: SETTINGS.lambda.node });
  } catch (e) {
    if (e && e.code === 'ERR_EDGE_NOT_IMPLEMENTED') {
      lambdaReady = false;
      note('lambda-target not built yet: Lambda@Edge rows skipped');
      return;
    }
    throw e;
  }
  if (!result.ok) {
    const why = result.violations.map((v) => `${v.middleware}: ${v.why}`).join('; ');
    rows.push({ case: c.name, target: 'lambda', eventType: '-', error: `build rejected: ${why}` });
    note(`${c.name} lambda build rejected: ${why}`);
    return;
  }
  for (const artifact of result.artifacts) {
    const { eventType } = artifact;
    const dir = join(OUT, 'lambda', c.name, eventType);
    await mkdir(dir, { recursive: true });
    const events = initsFor(c, eventType).map((init) => lambdaEvent(eventType, init));
    const row = { case: c.name, target: 'lambda', eventType, events: events.length, ours: { bytes: artifact.bytes }, ref: null };
    rows.push(row);
    const oursFile = join(dir, 'ours.js');
    await writeFile(oursFile, artifact.code);
    log(`  lambda ${eventType}: ours ${artifact.bytes} B (${artifact.middleware.join(', ')})`);
    if (!events.length) {
      note(`${c.name} has no ${eventType} events: lambda ${eventType} not measured`);
      continue;
    }

    const generated = c.reference ? c.reference('lambda', eventType) : undefined;
    const refSource = generated === undefined ? join(REF, 'lambda', `${c.name}.${eventType}.js`) : join(dir, 'ref-source.js');
    if (generated !== undefined) await writeFile(refSource, generated);
    let refFile;
    if (existsSync(refSource)) {
      const code = (await transform(await readFile(refSource, 'utf8'), { minify: true, target: 'node20', legalComments: 'none', charset: 'utf8' })).code;
      refFile = join(dir, 'ref.js');
      await writeFile(refFile, code);
      row.ref = { file: generated === undefined ? relative(process.cwd(), refSource) : `${c.referenceFrom} (${relative(process.cwd(), refSource)})`, bytes: Buffer.byteLength(code) };
      log(`  lambda ${eventType}: reference ${row.ref.bytes} B`);
      row.equivalence = await compareLambda(eventType, artifact.code, code, events);
    } else {
      note(`${c.name}: no reference ${relative(process.cwd(), refSource)}`);
    }

    const jobFile = join(dir, 'job.json');
    lambdaTimings.push(async () => {
      const files = refFile ? [oursFile, refFile] : [oursFile];
      const { iterations, rounds, warmup, loads } = SETTINGS.lambda;
      await writeFile(jobFile, JSON.stringify({ files, events, iterations, rounds, warmup, loads }));
      const [ours, ref] = await timeModules(jobFile);
      row.ours.nsPerRequest = round1(median(ours.nsPerRequest));
      row.ours.loadUs = round1(median(ours.loadUs));
      row.ours.samples = ours;
      if (ref) {
        row.ref.nsPerRequest = round1(median(ref.nsPerRequest));
        row.ref.loadUs = round1(median(ref.loadUs));
        row.ref.samples = ref;
        // Rounds alternate ours/ref: the median of the paired ratios cancels most machine drift.
        row.costRatio = round3(median(ours.nsPerRequest.map((x, i) => x / ref.nsPerRequest[i])));
        row.loadRatio = round3(median(ours.loadUs.map((x, i) => x / ref.loadUs[i])));
      }
    });
  }
}

async function compareLambda(eventType, ours, ref, events) {
  try {
    const a = [];
    const b = [];
    for (const e of events) {
      a.push(await lambdaTarget.runLambdaArtifact(ours, e).then((result) => ({ ok: true, result }), (err) => ({ ok: false, error: err.message })));
      b.push(await lambdaTarget.runLambdaArtifact(ref, e).then((result) => ({ ok: true, result }), (err) => ({ ok: false, error: err.message })));
    }
    return compare(eventType, events, a, b);
  } catch (e) {
    return { same: false, error: e.message };
  }
}

async function timeModules(jobFile) {
  const { stdout } = await execFileP(process.execPath, ['--expose-gc', join(HERE, 'lib', 'lambda-timer.mjs'), jobFile], { maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout);
}

// ---------------------------------------------------------------------------------------------

function printTable(all) {
  for (const r of all) if (r.finish) {
    r.finish();
    delete r.finish;
  }
  const fmt = (n) => (n === undefined || n === null ? '-' : Math.round(n).toLocaleString('en-US'));
  const ratioOf = (x, target) => (x === undefined || x === null ? '-' : `${x.toFixed(2)}x${x > target ? ' OVER' : ''}`);
  const ratio = (a, b, target) => (a === undefined || b === undefined || b === null || !b ? '-' : ratioOf(a / b, target));
  const header = ['case', 'target', 'event', 'ours B', 'ref B', 'bytes', 'ours cost/req', 'ref cost/req', 'cost', 'same'];
  const lines = [];
  for (const r of all) {
    if (r.error) {
      lines.push([r.case, r.target, r.eventType, 'ERROR', '-', '-', '(below)', '-', '-', '-']);
      continue;
    }
    const cf = r.target === 'cf';
    const unit = cf ? ' instr' : ' ns';
    const oc = cf ? r.ours.instrPerReq : r.ours.nsPerRequest;
    const rc = r.ref && (cf ? r.ref.instrPerReq : r.ref.nsPerRequest);
    lines.push([
      r.case,
      cf ? r.runtime.replace('cloudfront-', 'cf-') : 'lambda',
      r.eventType,
      fmt(r.ours.bytes),
      r.ref ? fmt(r.ref.bytes) : '-',
      cf && r.ref ? ratio(r.ours.bytes, r.ref.bytes, SETTINGS.cf.targetBytes) : r.ref ? ratio(r.ours.bytes, r.ref.bytes, Infinity) : '-',
      oc === undefined ? '-' : fmt(oc) + unit,
      rc === undefined || rc === null ? '-' : fmt(rc) + unit,
      cf ? ratio(oc, rc, SETTINGS.cf.targetCost) : ratioOf(r.costRatio, SETTINGS.lambda.targetCost),
      r.equivalence ? (r.equivalence.same ? 'yes' : r.equivalence.error ? 'ERR' : `NO (${r.equivalence.mismatches.length}/${r.equivalence.events})`) : '-',
    ]);
  }
  log('\n## Results');
  log(`targets: CloudFront Functions bytes <= ${SETTINGS.cf.targetBytes}x and instructions <= ${SETTINGS.cf.targetCost}x the reference; Lambda@Edge time <= ${SETTINGS.lambda.targetCost}x ("OVER" marks a miss).`);
  log('cf cost: njs instructions per request (callgrind), net of the driver. lambda cost: median ns per request (Node),');
  log('ratio: median of the ratios of rounds run in turn (ours, ref, ours, ...).');
  log('same: ours and the reference give the same outcome on every event of the mix.\n');
  printGrid(header, lines);

  const lambdaRows = all.filter((r) => r.target === 'lambda' && !r.error && r.ours.loadUs !== undefined);
  if (lambdaRows.length) {
    log('\nLambda@Edge module load (compile + top-level run, median):\n');
    printGrid(['case', 'event', 'ours load', 'ref load', 'ratio'], lambdaRows.map((r) => [
      r.case, r.eventType, `${r.ours.loadUs.toFixed(1)} us`, r.ref && r.ref.loadUs !== undefined ? `${r.ref.loadUs.toFixed(1)} us` : '-',
      r.loadRatio ? `${r.loadRatio.toFixed(2)}x` : '-',
    ]));
  }
  const where = (r) => `${r.case} ${r.target}${r.runtime ? ` ${r.runtime}` : ''}`;
  for (const r of all) if (r.error) log(`\n! ${where(r)}: ${r.error}`);
  for (const r of all) {
    if (!r.equivalence || r.equivalence.same) continue;
    log(`\n! ${where(r)} ${r.eventType}: ours and the reference differ${r.equivalence.error ? `: ${r.equivalence.error}` : ''}`);
    for (const m of (r.equivalence.mismatches || []).slice(0, 3)) {
      log(`  event ${m.event}:\n    ours ${JSON.stringify(m.ours)}\n    ref  ${JSON.stringify(m.ref)}`);
    }
  }
  if (skipped.length) log(`\nskipped: ${skipped.map((s) => `${s.case} (${s.reason})`).join('; ')}`);
}

/** The last line: the largest bytes and instructions ratios over the CloudFront rows with a reference. */
function largestRatios(all) {
  const cf = all.filter((r) => r.target === 'cf' && !r.error && r.ref);
  const worst = (of) => cf.map((r) => ({ r, x: of(r) })).filter((w) => Number.isFinite(w.x)).reduce((a, b) => (b.x > a.x ? b : a), { x: -Infinity });
  const where = (w) => `${w.r.case} ${w.r.runtime.replace('cloudfront-', 'cf-')} ${w.r.eventType}${w.r.equivalence && !w.r.equivalence.same ? ' (outcomes differ)' : ''}`;
  const bytes = worst((r) => r.ours.bytes / r.ref.bytes);
  const instr = worst((r) => (r.ref.instrPerReq ? r.ours.instrPerReq / r.ref.instrPerReq : NaN));
  const part = (label, w, target) => (w.r ? `${label} ${w.x.toFixed(2)}x (${where(w)})${w.x > target ? ' OVER' : ''}` : `${label} -`);
  return `largest ratio over ${cf.length} CloudFront rows: ${part('bytes', bytes, SETTINGS.cf.targetBytes)}; ${part('instructions', instr, SETTINGS.cf.targetCost)}`;
}

function printGrid(header, lines) {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
  const right = (i) => i >= 3;
  const cell = (s, i) => (right(i) ? String(s).padStart(widths[i]) : String(s).padEnd(widths[i]));
  log(`| ${header.map(cell).join(' | ')} |`);
  log(`|${widths.map((w, i) => (right(i) ? `${'-'.repeat(w + 1)}:` : `${'-'.repeat(w + 2)}`)).join('|')}|`);
  for (const l of lines) log(`| ${l.map(cell).join(' | ')} |`);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function round1(x) {
  return Math.round(x * 10) / 10;
}

function round3(x) {
  return Math.round(x * 1000) / 1000;
}

async function has(bin, args) {
  return (await version(bin, args)) !== undefined;
}

async function version(bin, args) {
  try {
    const { stdout } = await execFileP(bin, args);
    return stdout.trim().split('\n')[0];
  } catch {
    return undefined;
  }
}
