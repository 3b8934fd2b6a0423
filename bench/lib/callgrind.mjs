// Instructions per request of a CloudFront Function in njs, counted by callgrind (deterministic).
//
// One driver for every function: the events of a case as JSON strings, and a loop that parses
// event i % K (a fresh object each call, as CloudFront hands over) and calls handler(event).
// A run with n calls costs start-up + parse + n * (driver + handler). So:
//   per request = (I(hi) - I(lo)) / (hi - lo)            start-up and parse cancel out
//               - (B(hi) - B(lo)) / (hi - lo)            driver loop and JSON.parse, measured with
//                                                        `function handler(event) { return event; }`
// lo = K and hi = K * rounds, so the difference covers whole passes over the event mix.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { njsPrelude } from '@edgeline/cf-target';
import { rawQueries } from './njs.mjs';

const run = promisify(execFile);

export const BASELINE = 'function handler(event) {\n  return event;\n}\n';

/** What njs has and the runtime lacks is removed first, as the cf-target's njs runner does. */
export function driverScript(code, events, n, runtime = 'cloudfront-js-1.0') {
  const json = events.map((e) => JSON.stringify(JSON.stringify(e)));
  // Runtime 2.0 (viewer-request): each parsed event's request gets its rawQueryString(), as
  // CloudFront's has; the baseline pays the same, so it cancels out of the per-request count.
  const raws = rawQueries(events, runtime);
  const attach = raws.some(Boolean)
    ? `var m = methods[i % events.length]; if (m) event.request.rawQueryString = m;\n    `
    : '';
  return `${njsPrelude(runtime)}${code}
;(function () {
  var events = [
    ${json.join(',\n    ')}
  ];
  var methods = ${JSON.stringify(raws)}.map(function (r) { return r && function rawQueryString() { return r[0]; }; });
  var n = ${n};
  for (var i = 0; i < n; i++) {
    var event = JSON.parse(events[i % events.length]);
    ${attach}try { handler(event); } catch (e) { console.log('bench: handler threw: ' + e); }
  }
})();
`;
}

/** Instructions of one njs run of `file` (safe mode, sandbox: as the runner does). */
export async function countInstructions(file) {
  try {
    const { stderr } = await run('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', 'njs', '-u', '-s', file], { maxBuffer: 64 * 1024 * 1024 });
    const m = /Collected\s*:\s*(\d+)/.exec(stderr);
    if (!m) throw new Error(`no instruction count in valgrind's output:\n${stderr.slice(-2000)}`);
    return Number(m[1]);
  } catch (e) {
    throw new Error(`callgrind run of ${file} failed: ${e.stderr || e.message}`);
  }
}

/** Writes the lo/hi drivers of one function and returns the jobs that count them. */
export async function driverJobs(code, events, { lo, hi, prefix, runtime }) {
  const jobs = {};
  for (const [key, n] of [['lo', lo], ['hi', hi]]) {
    const file = `${prefix}.n${n}.js`;
    await writeFile(file, driverScript(code, events, n, runtime));
    jobs[key] = () => countInstructions(file);
  }
  return jobs;
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
