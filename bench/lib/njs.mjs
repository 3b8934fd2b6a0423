// Runs a CloudFront Function on events in njs and returns what it gave for each, checked as
// CloudFront checks results (validateCfResult). The same as @edgeline/cf-target's runInNjs for
// runtime 1.0, except that results are found anywhere in a line: njs prints its
// "String.bytesFrom() is deprecated" warning on stdout without a newline, which runInNjs's
// start-of-line match loses (the first chunk of results is then dropped).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { njsPrelude, validateCfResult } from '@edgeline/cf-target';
import { rawQueryOf } from '@edgeline/core/testing';

const run = promisify(execFile);
const MARK = '__EDGELINE_BENCH__';

export async function runNjs(code, events, runtime = 'cloudfront-js-1.0') {
  const dir = await mkdtemp(join(tmpdir(), 'edgeline-bench-'));
  try {
    const file = join(dir, 'fn.js');
    await writeFile(file, `${njsPrelude(runtime)}${code}\n${driver(events, runtime)}`);
    const { stdout } = await run('njs', ['-u', '-s', file], { maxBuffer: 256 * 1024 * 1024 });
    const chunks = [];
    for (const line of stdout.split('\n')) {
      const at = line.indexOf(MARK);
      if (at >= 0) chunks.push(line.slice(at + MARK.length));
    }
    if (!chunks.length) throw new Error(`njs printed no results:\n${stdout.slice(0, 2000)}`);
    return JSON.parse(chunks.join('')).map((r, i) => {
      if (!r.ok) return r;
      try {
        validateCfResult(events[i], r.result);
        return r;
      } catch (e) {
        return { ok: false, error: e.message };
      }
    });
  } catch (e) {
    throw new Error(`njs failed: ${e.stderr || e.message}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// njs cuts a console.log line at 2 KB: 500 characters are at most 1.5 KB of UTF-8 (BMP).
function driver(events, runtime) {
  return `
;(function () {
  var events = ${JSON.stringify(events)};
  var raws = ${JSON.stringify(rawQueries(events, runtime))};
  var out = [];
  for (var i = 0; i < events.length; i++) {
    if (raws[i]) Object.defineProperty(events[i].request, 'rawQueryString', { value: rawMethod(raws[i][0]) });
    try { out.push({ ok: true, result: handler(events[i]) }); } catch (e) { out.push({ ok: false, error: String(e && e.message || e) }); }
  }
  var s = JSON.stringify(out);
  for (var k = 0; k < s.length; k += 500) console.log('\\n${MARK}' + s.slice(k, k + 500));
  function rawMethod(raw) { return function rawQueryString() { return raw; }; }
})();
`;
}

/**
 * Runtime 2.0's request has rawQueryString() (viewer-request), which JSON loses: per event `[text]`
 * (undefined as `[]`), as @edgeline/cf-target's runInNjs gives it; null elsewhere.
 */
export function rawQueries(events, runtime) {
  return events.map((e) => {
    if (runtime !== 'cloudfront-js-2.0' || !e.context || e.context.eventType !== 'viewer-request') return null;
    const raw = rawQueryOf(e.request);
    return raw === undefined ? [] : [raw];
  });
}
