// The cost check of `npm run bench` (issue 12): every example that builds for CloudFront
// Functions, and a jwtVerify HS256 pipeline, run in njs under callgrind on a typical request and
// on the worst requests CloudFront lets through (bench/cost-requests.mjs). It fails (the bench
// exits non-zero) when a worst request costs more than a typical one plus BUDGET_PER_BYTE
// instructions per byte of the request, when a handler throws on one (CloudFront answers 503),
// or when a forged token costs more than FORGED_MAX_RATIO times a valid one.
//
// Method: one njs process per artifact under `valgrind --tool=callgrind --dump-before=cbrt`.
// The driver calls Math.cbrt (njs calls libm's cbrt, which nothing else in an artifact or in njs
// reaches) just before and just after each handler call, so callgrind writes one profile part
// per call: the instructions of that call alone, from one process. A call of
// `function (event) { return event; }` measured the same way gives the overhead of the marks and
// the call, which is subtracted. Each event is parsed from JSON (a fresh object, as CloudFront
// hands it over) outside the measured part. The whole plan runs REPS times after a warm-up pass
// over the typical requests; a request's cost is the least of its REPS parts.
//
// `node bench/cost.mjs [name ...]` runs the check alone (names: example folders, case names of
// bench/cases.mjs that are not examples, or `jwtVerify`).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CF_RUNTIME, edge } from '@edgeline/core';
import { viewerRequest, viewerResponse } from '@edgeline/core/testing';
import { buildCf, njsPrelude } from '@edgeline/cf-target';
import { loadEntry } from '@edgeline/cli';
import { cases } from './cases.mjs';
import { JWT_SECRET, requestBytes, worstRequests, worstResponses, jwtRequests } from './cost-requests.mjs';
import { callgrindParts, pool } from './lib/callgrind.mjs';

/**
 * Instructions a worst request may cost beyond a typical one, per byte of the request (URL and
 * header lines, as CloudFront counts them against its 20,480-byte limit). Issue 12 says "say
 * 200": work linear in the input passes with room to spare (8,192 bytes of query string handled
 * in a few passes cost ~10-40 instructions a byte in njs 0.7.9), while repeated string
 * concatenation or indexing a non-ASCII string by position (quadratic) is thousands a byte at
 * these sizes. At 200 a byte a request of 20,480 bytes may cost ~4.1 M instructions more than a
 * typical one, a few hundred microseconds of CloudFront's ~1 ms.
 */
export const BUDGET_PER_BYTE = 200;
/** A forged token (bad signature, garbage, wrong alg, oversized) costs at most this many times a valid one. */
export const FORGED_MAX_RATIO = 5;
/** Passes over the plan; a request's cost is its least. */
const REPS = 1;
const RUNTIMES = ['cloudfront-js-1.0', 'cloudfront-js-2.0'];

const HERE = dirname(fileURLToPath(import.meta.url));
const EXAMPLES = join(HERE, '..', 'examples');
const NOOP = 'function (event) { return event; }';

/** The pipelines: every example with a cf target (its runtimes), the bench's other cases (1.0), and jwtVerify HS256 on both runtimes. */
async function pipelines(middleware, only) {
  const out = [];
  for (const name of readdirSync(EXAMPLES).sort()) {
    const file = join(EXAMPLES, name, 'example.json');
    if (!existsSync(file)) continue;
    if (only.length && !only.includes(name)) continue;
    const runtimes = JSON.parse(readFileSync(file, 'utf8')).targets.map((t) => t.split(':')).filter(([t]) => t === 'cf').map(([, r]) => r || DEFAULT_CF_RUNTIME);
    if (!runtimes.length) continue;
    const c = cases.find((x) => x.example === name);
    out.push({
      name,
      runtimes,
      pipeline: () => loadEntry(join(EXAMPLES, name, 'edge.ts')),
      // Typical: the bench's realistic mix for the example (bench/cases.mjs).
      typical: { 'viewer-request': c?.requests, 'viewer-response': c?.responses },
      worst: { 'viewer-request': worstRequests(), 'viewer-response': worstResponses() },
    });
  }
  // The bench's cases that are not examples (their own middleware, e.g. a hook that reads the
  // query string through the generated helpers), built for their runtimes as run.mjs builds them;
  // not those marked `cost: false` (the chains, the cases this check covers below or cannot run).
  for (const c of cases) {
    if (c.example || c.cost === false || (only.length && !only.includes(c.name))) continue;
    out.push({
      name: c.name,
      runtimes: c.runtimes || ['cloudfront-js-1.0'],
      pipeline: () => {
        const missing = (c.uses || []).filter((n) => typeof middleware[n] !== 'function');
        if (missing.length) throw new Error(`@edgeline/middleware does not export ${missing.join(', ')}`);
        return c.pipeline(middleware);
      },
      typical: { 'viewer-request': c.requests, 'viewer-response': c.responses },
      worst: { 'viewer-request': worstRequests(), 'viewer-response': worstResponses() },
    });
  }
  if (!only.length || only.includes('jwtVerify')) {
    const jwt = jwtRequests();
    out.push({
      name: 'jwtVerify',
      runtimes: RUNTIMES,
      pipeline: () => {
        if (typeof middleware.jwtVerify !== 'function') throw new Error('@edgeline/middleware does not export jwtVerify');
        return edge().use(middleware.jwtVerify({ algorithms: ['HS256'], secret: JWT_SECRET }));
      },
      typical: { 'viewer-request': jwt.valid.map((x) => x.init) },
      worst: { 'viewer-request': [...worstRequests(), ...jwt.worst] },
      forged: jwt.forged,
    });
  }
  return out;
}

/**
 * Builds, writes the drivers and returns { jobs, finish }: run the jobs (callgrind, in a pool),
 * then finish() prints the tables and returns { ok, rows, forged, notes }.
 */
export async function prepareCostCheck({ middleware, outDir, only = [], log = (s) => process.stdout.write(`${s}\n`) }) {
  const dir = join(outDir, 'cost');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const notes = [];
  const note = (s) => {
    notes.push(s);
    log(`  note: ${s}`);
  };
  const units = [];
  const selected = await pipelines(middleware, only);
  if (selected.length) log('\n# cost of the worst requests (bench/cost.mjs)');
  for (const p of selected) {
    let pipeline;
    try {
      pipeline = await p.pipeline();
    } catch (e) {
      note(`cost: ${p.name} skipped: ${e.message.split('\n')[0]}`);
      continue;
    }
    for (const runtime of p.runtimes) {
      const result = await buildCf({ pipeline, runtime });
      if (!result.ok) {
        note(`cost: ${p.name} ${runtime} build rejected: ${result.violations.map((v) => `${v.middleware}: ${v.why}`).join('; ')}`);
        continue;
      }
      for (const artifact of result.artifacts) {
        const { eventType } = artifact;
        if (/^\s*import\s/m.test(artifact.code) || /async\s+function\s+handler/.test(artifact.code)) {
          note(`cost: ${p.name} ${runtime} ${eventType} imports the cloudfront module or is async: not measured`);
          continue;
        }
        const typical = p.typical[eventType];
        const worst = p.worst[eventType] || [];
        if (!worst.length) continue;
        const base = `${p.name}.${runtime.replace('cloudfront-', 'cf-')}.${eventType}`;
        units.push({
          pipeline: p.name, runtime, eventType, code: artifact.code, dir: join(dir, base),
          typical: typical && typical.length ? typical.map((init, i) => ({ label: `typical ${i}`, init })) : [{ label: 'typical 0', init: {} }],
          worst,
          forged: eventType === 'viewer-request' ? p.forged : undefined,
        });
      }
    }
  }
  for (const u of units) await prepareUnit(u);
  // One callgrind run per unit: an artifact's count on a worst request depends a little on what
  // the process allocated before (njs frees nothing), so units do not share a process.
  const jobs = units.map((u) => {
    const job = () => measure(u);
    job.weight = u.weight;
    return job;
  });
  return { jobs, notes, finish: () => report(units, log, notes) };
}

/** Runs the check on its own: build, count, print; resolves to true when everything is within budget. */
export async function costCheck({ middleware, outDir, only = [], log }) {
  const { jobs, finish } = await prepareCostCheck({ middleware, outDir, only, log });
  await pool(jobs, Math.max(1, availableParallelism()));
  return finish();
}

// ---------------------------------------------------------------------------------------------

/** The event of an init, as JSON, and what rawQueryString() gives on 2.0 (viewer-request only). */
function eventOf(eventType, init, runtime) {
  const event = eventType === 'viewer-request' ? viewerRequest(init) : viewerResponse(init);
  // CloudFront's 2.0 request has the method on every viewer-request ('' without a query string).
  const raw = runtime === 'cloudfront-js-2.0' && eventType === 'viewer-request' ? [typeof init.querystring === 'string' ? init.querystring.replace(/^\?/, '') : ''] : null;
  return { json: JSON.stringify(event), raw };
}

/** The plan of a unit: its items (typical, worst, forged), their events, and [function, event, item] per call. */
function planOf(u) {
  const items = [...u.typical.map((x) => ({ ...x, kind: 'typical' })), ...u.worst.map((x) => ({ ...x, kind: 'worst' })), ...(u.forged || []).map((x) => ({ ...x, kind: 'forged' }))];
  const events = items.map((x) => eventOf(u.eventType, x.init, u.runtime));
  // plan: [function (0 noop, 1 handler), event, item (-1: not counted)]
  const plan = u.typical.map((_, i) => [1, i, -1]);
  for (let r = 0; r < REPS; r++) {
    plan.push([0, 0, -2]);
    items.forEach((_, i) => plan.push([1, i, i]));
  }
  return { items, events, plan };
}

/** Writes a unit's own driver (runnable alone, and run alone when its batch fails). */
async function prepareUnit(u) {
  await rm(u.dir, { recursive: true, force: true });
  await mkdir(u.dir, { recursive: true });
  Object.assign(u, planOf(u));
  u.file = join(u.dir, 'driver.js');
  await writeFile(u.file, `${njsPrelude(u.runtime)}${u.code}\n;(function () {\n${driverBody(u, 0)}})();\n`);
  // Callgrind's time is about proportional to the instructions: the events' JSON, parsed each call, and the handler's work on it.
  u.weight = u.plan.reduce((s, [, i]) => s + u.events[i].json.length + u.code.length, 0);
}

/** Runs a unit's driver under callgrind (one process) and sets its counts, or its error. */
async function measure(u) {
  try {
    const out = await callgrindParts(u.file, { cwd: u.dir });
    // Part 1 is start-up; the call of plan entry k is part 2 + 2k (the part after it parses the next event).
    if (out.parts.size !== 2 * u.plan.length + 1) throw new Error(`expected ${2 * u.plan.length + 1} profile parts from ${u.file}, got ${out.parts.size}: is something else calling Math.cbrt?`);
    u.counts = countsOf(u, (k) => out.parts.get(2 + 2 * k), threwIn(out.stdout, 0));
  } catch (e) {
    u.error = e.message.split('\n')[0];
  }
}

/** The calls of unit `j` that threw: plan index => message. */
function threwIn(stdout, j) {
  const threw = new Map();
  for (const line of stdout.split('\n')) {
    const m = /__COST_THREW__ (\d+) (\d+) (.*)$/.exec(line);
    if (m && Number(m[1]) === j) threw.set(Number(m[2]), m[3]);
  }
  return threw;
}

/** Instructions of each item: the least of its calls (part of plan entry k: partOf(k)), less the noop's. */
function countsOf(u, partOf, threw) {
  let noop = Infinity;
  const per = u.items.map(() => Infinity);
  const errors = u.items.map(() => undefined);
  u.plan.forEach(([fn, , item], k) => {
    const n = partOf(k);
    if (fn === 0) noop = Math.min(noop, n);
    else if (item >= 0) {
      per[item] = Math.min(per[item], n);
      if (threw.has(k)) errors[item] = threw.get(k);
    }
  });
  return u.items.map((x, i) => ({ ...x, instr: per[i] - noop, bytes: requestBytes(x.init, u.eventType), error: errors[i] }));
}

/** The loop of unit `j` (with `handler` in scope): each event parsed outside the marks, one call between two. */
function driverBody(u, j) {
  const lit = (s) => JSON.stringify(s).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return `  var E = [
    ${u.events.map((e) => lit(e.json)).join(',\n    ')}
  ];
  var RAW = ${JSON.stringify(u.events.map((e) => e.raw))};
  var PLAN = ${JSON.stringify(u.plan.map(([fn, ev]) => [fn, ev]))};
  var F = [${NOOP}, handler];
  var m = 2;
  function raw(s) { return function rawQueryString() { return s; }; }
  for (var k = 0; k < PLAN.length; k++) {
    var i = PLAN[k][1], f = F[PLAN[k][0]], ev = JSON.parse(E[i]);
    if (RAW[i]) Object.defineProperty(ev.request, 'rawQueryString', { value: raw(RAW[i][0]) });
    Math.cbrt(m);
    try { f(ev); } catch (e) { console.log('__COST_THREW__ ${j} ' + k + ' ' + String(e).slice(0, 200)); }
    Math.cbrt(m);
  }
`;
}

// ---------------------------------------------------------------------------------------------

function report(units, log, notes) {
  if (!units.length) return { ok: true, failures: [], rows: [], forged: [], notes, budgetPerByte: BUDGET_PER_BYTE, forgedMaxRatio: FORGED_MAX_RATIO };
  const fmt = (n) => Math.round(n).toLocaleString('en-US');
  const rows = [];
  const failures = [];
  const forgedRows = [];
  for (const u of units) {
    const where = `${u.pipeline} ${u.runtime.replace('cloudfront-', 'cf-')} ${u.eventType}`;
    if (u.error) {
      failures.push(`${where}: ${u.error}`);
      rows.push({ where, label: 'ERROR', error: u.error });
      continue;
    }
    const typicals = u.counts.filter((c) => c.kind === 'typical');
    const typical = typicals.reduce((s, c) => s + c.instr, 0) / typicals.length;
    const typicalBytes = typicals.reduce((s, c) => s + c.bytes, 0) / typicals.length;
    for (const t of typicals) if (t.error) failures.push(`${where} ${t.label}: the handler threw ${t.error}`);
    rows.push({ where, label: `typical (mean of ${typicals.length})`, bytes: typicalBytes, instr: typical, typical: true });
    for (const c of u.counts.filter((x) => x.kind !== 'typical')) {
      const perByte = (c.instr - typical) / c.bytes;
      const over = c.instr > typical + BUDGET_PER_BYTE * c.bytes;
      const row = { where, label: c.label, bytes: c.bytes, instr: c.instr, perByte, over, error: c.error };
      rows.push(row);
      if (over) failures.push(`${where} "${c.label}": ${fmt(c.instr)} instructions for ${fmt(c.bytes)} bytes, ${perByte.toFixed(1)} a byte over typical (${fmt(typical)}); budget ${BUDGET_PER_BYTE} a byte`);
      if (c.error) failures.push(`${where} "${c.label}": the handler threw (CloudFront answers 503): ${c.error}`);
    }
    if (u.forged) {
      const valid = typical;
      for (const c of u.counts.filter((x) => x.kind === 'forged')) {
        const ratio = c.instr / valid;
        forgedRows.push({ where, label: c.label, bytes: c.bytes, instr: c.instr, valid, ratio, over: ratio > FORGED_MAX_RATIO });
        if (ratio > FORGED_MAX_RATIO) failures.push(`${where} "${c.label}": a forged token costs ${ratio.toFixed(2)}x a valid one (${fmt(c.instr)} vs ${fmt(valid)}); at most ${FORGED_MAX_RATIO}x`);
      }
    }
  }

  log('\n## Cost of the worst requests (issue 12)');
  log(`njs instructions of one handler call (callgrind), net of the call itself. bytes: the request's URL and header lines`);
  log(`(CloudFront allows 8,192 bytes of URL and 20,480 of request). excess/B: (cost - typical) / bytes; budget: typical + ${BUDGET_PER_BYTE} a byte.\n`);
  const lines = rows.map((r) => r.error && r.label === 'ERROR'
    ? [r.where, 'ERROR', '-', '-', '-', r.error.slice(0, 60)]
    : [r.where, r.label, fmt(r.bytes), fmt(r.instr), r.typical ? '' : r.perByte.toFixed(1), r.typical ? '' : r.error ? 'THROWS' : r.over ? 'OVER' : 'ok']);
  grid(log, ['artifact', 'request', 'bytes', 'instr', 'excess/B', 'within'], lines);

  if (forgedRows.length) {
    log(`\njwtVerify HS256: forged tokens against a valid one (mean of the valid requests); at most ${FORGED_MAX_RATIO}x.\n`);
    grid(log, ['artifact', 'token', 'bytes', 'instr', 'valid', 'ratio', 'within'], forgedRows.map((r) => [
      r.where, r.label, fmt(r.bytes), fmt(r.instr), fmt(r.valid), `${r.ratio.toFixed(2)}x`, r.over ? 'OVER' : 'ok',
    ]));
  }
  if (failures.length) {
    log(`\n!! COST CHECK FAILED (${failures.length}):`);
    for (const f of failures) log(`!! ${f}`);
  } else {
    log(`\ncost check: every worst request within typical + ${BUDGET_PER_BYTE} instructions a byte${forgedRows.length ? `, every forged token within ${FORGED_MAX_RATIO}x a valid one` : ''}.`);
  }
  return { ok: failures.length === 0, failures, rows, forged: forgedRows, notes, budgetPerByte: BUDGET_PER_BYTE, forgedMaxRatio: FORGED_MAX_RATIO };
}

function grid(log, header, lines) {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
  const right = (i) => i >= 2;
  const cell = (s, i) => (right(i) ? String(s).padStart(widths[i]) : String(s).padEnd(widths[i]));
  log(`| ${header.map(cell).join(' | ')} |`);
  log(`|${widths.map((w, i) => (right(i) ? `${'-'.repeat(w + 1)}:` : `${'-'.repeat(w + 2)}`)).join('|')}|`);
  for (const l of lines) log(`| ${l.map(cell).join(' | ')} |`);
}

// `node bench/cost.mjs [name ...]`
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const middleware = createRequire(import.meta.url)('@edgeline/middleware');
  const t0 = Date.now();
  const result = await costCheck({ middleware, outDir: process.env.BENCH_OUT || join(HERE, '.out'), only: process.argv.slice(2) });
  process.stdout.write(`\ncost check done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  process.exitCode = result.ok ? 0 : 1;
}
