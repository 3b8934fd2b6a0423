import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { CfRuntime } from '@edgeline/core';
import type { CffEvent, LeEvent } from '@edgeline/core/runtime';
import { hasNjs, MAX_BYTES, runInEmulator, runInNjs, type EmulatorRun } from '@edgeline/cf-target';
import { runLambdaArtifact } from '@edgeline/lambda-target';
import { artifactKind, describeKind, type ArtifactKind } from '../artifact-kind.js';
import type { Command } from '../command.js';
import { differences } from '../diff.js';
import { EXIT, UsageError, type ExitCode } from '../errors.js';

const CF_RUNTIMES: readonly string[] = ['cloudfront-js-1.0', 'cloudfront-js-2.0'];

type Print = (s: string) => void;

/**
 * What `edge run --json` prints: the artifact's kind, whether the run succeeded, the result (the
 * vm emulator's for a CloudFront Function), what it logged, and for a CloudFront Function njs's
 * verdict and the size.
 */
export interface RunReport {
  artifact: string;
  kind: ArtifactKind;
  ok: boolean;
  result?: unknown;
  /** cloudfront-js-2.0: the origin set with cf.updateRequestOrigin. */
  origin?: unknown;
  error?: string;
  logs: string[];
  njs?: { installed: false } | { installed: true; ok: boolean; same?: boolean; result?: unknown; error?: string; logs?: string[]; differences?: string[] };
  bytes?: number;
  limitBytes?: number;
}

export const runCommand: Command = {
  name: 'run',
  args: '<artifact>',
  summary: "Run a built artifact on one event, as the console's Test function does.",
  details:
    'Reads what the artifact is from the manifest.json edge build wrote beside it, else from its code. A\n' +
    'CloudFront Function runs in njs (apt-get install -y njs) next to the vm emulator: when they differ it\n' +
    'prints each difference and exits 1; then its size against the 10 KB limit. A Lambda@Edge handler runs\n' +
    'as Lambda\'s Node.js runtime loads it. Exit 1 when the function fails; 2 when the event has another\n' +
    'shape or event type than the artifact takes.',
  options: {
    event: { type: 'string', value: '<file.json>', description: 'required: the event, a CloudFront Functions or Lambda@Edge event as JSON' },
    kvs: { type: 'string', value: '<file.json>', description: 'cloudfront-js-2.0 only: the KeyValueStore, a JSON object of string values' },
    runtime: { type: 'string', value: CF_RUNTIMES.join('|'), description: 'for a bare ES5.1 file without a manifest (may not contradict one)' },
    json: { type: 'boolean', description: 'print the result as JSON on stdout (errors still go to stderr)' },
  },
  examples: [
    'edge run dist/edge/cf/viewer-request.js --event events/viewer-request.json',
    'edge run dist/edge/lambda/origin-request/index.js --event events/origin-request.json --json',
  ],
  run: ({ values, positionals }, io) => run(values as RunValues, positionals, io.out, io.err),
};

interface RunValues {
  event?: string;
  runtime?: string;
  kvs?: string;
  json?: boolean;
}

/**
 * Like the console's Test function: one artifact, one event. Prints what the artifact is (from
 * the manifest beside it, else from its code), its result, what it logged, and for a CloudFront
 * Function the njs verdict and the size. Exit 1 when the function fails or the engines disagree.
 */
async function run(values: RunValues, positionals: string[], out: Print, err: Print): Promise<ExitCode> {
  // With --json, stdout holds the report alone; what goes wrong still goes to stderr.
  const log: Print = values.json ? () => undefined : out;
  if (positionals.length !== 1) throw new UsageError('give exactly one artifact');
  if (!values.event) throw new UsageError('--event <file.json> is required');
  if (values.runtime !== undefined && !CF_RUNTIMES.includes(values.runtime)) {
    throw new UsageError(`--runtime must be cloudfront-js-1.0 or cloudfront-js-2.0 (got ${values.runtime})`);
  }
  const artifact = positionals[0];
  if (!existsSync(artifact)) throw new UsageError(`artifact ${artifact} does not exist`);
  if (!existsSync(values.event)) throw new UsageError(`event file ${values.event} does not exist`);
  const code = await readFile(artifact, 'utf8');
  const event = await readJson(values.event, 'event file');

  const found = await artifactKind(artifact, code);
  if (!found.kind) {
    throw new UsageError(`${artifact} is neither a CloudFront Function (a top-level function handler(event)) nor a Lambda@Edge handler (exports.handler)`);
  }
  const kind = withRuntime(found.kind, values.runtime, artifact);
  checkEvent(kind, event, artifact, values.event);
  if (values.kvs !== undefined && !(kind.target === 'cf' && kind.runtime === 'cloudfront-js-2.0')) {
    throw new UsageError(`--kvs needs a cloudfront-js-2.0 artifact (KeyValueStore is a cloudfront-js-2.0 feature), and ${artifact} is a ${describeKind(kind)}`);
  }
  const kvs = values.kvs === undefined ? undefined : await readKvs(values.kvs);

  log(`${artifact}: ${describeKind(kind)}, read from ${kind.from}${found.note ? ` (${found.note})` : ''}`);
  const report: RunReport = { artifact, kind, ok: false, logs: [] };
  const exit = kind.target === 'lambda'
    ? await runLambda(code, event as unknown as LeEvent, kind, report, log, err)
    : await runCf(code, event as unknown as CffEvent, kind.runtime, kvs, report, log, err);
  report.ok = exit === EXIT.ok;
  if (values.json) out(JSON.stringify(report, null, 2));
  return exit;
}

async function runCf(code: string, event: CffEvent, runtime: CfRuntime, kvs: Record<string, string> | undefined, report: RunReport, log: Print, err: Print): Promise<ExitCode> {
  const options = { runtime, ...(kvs ? { kvs } : {}) };
  const vm = await runInEmulator(code, event, options);
  if (vm.ok) printAnswer(vm, log);
  let njs: EmulatorRun | undefined;
  if (await hasNjs()) {
    try {
      [njs] = await runInNjs(code, [event], options);
    } catch (e) {
      njs = { ok: false, error: (e as Error).message };
    }
  }
  printLogs(vm, njs, log);
  const problem = verdict(vm, njs, log);
  if (problem) err(`edge run: ${problem}`);
  const bytes = Buffer.byteLength(code);
  Object.assign(report, vm.ok ? { result: vm.result, ...(vm.origin ? { origin: vm.origin } : {}) } : { error: vm.error }, { logs: logsOf(vm) ?? [] });
  report.njs = njsReport(vm, njs);
  Object.assign(report, { bytes, limitBytes: MAX_BYTES });
  log(`size: ${bytes} B of ${MAX_BYTES} B (${Math.round((bytes / MAX_BYTES) * 100)}%), ${runtime}`);
  return problem ? EXIT.rejected : EXIT.ok;
}

/** Prints the njs verdict; returns what went wrong (the function failed, or the engines disagree). */
function verdict(vm: EmulatorRun, njs: EmulatorRun | undefined, log: Print): string | undefined {
  if (!njs) {
    log('njs: not installed (apt-get install -y njs)');
    return vm.ok ? undefined : `the function failed (vm emulator): ${vm.error}`;
  }
  if (vm.ok && njs.ok) {
    const lines = differences(answerOf(vm), answerOf(njs), ['vm', 'njs']);
    if (!lines.length) {
      log('njs: ok, same result');
      return undefined;
    }
    log('njs: ok, DIFFERENT result:');
    printAnswer(njs, log);
    return `njs and the vm emulator disagree (${lines.length} difference${lines.length === 1 ? '' : 's'}):\n${lines.map((l) => `  ${l}`).join('\n')}`;
  }
  if (vm.ok && !njs.ok) {
    log(`njs: error: ${njs.error}`);
    return `njs and the vm emulator disagree: the vm emulator answered (above), njs failed: ${njs.error}`;
  }
  if (!vm.ok && njs.ok) {
    log('njs: ok, but the vm emulator failed; njs answered:');
    printAnswer(njs, log);
    return `njs and the vm emulator disagree: the vm emulator failed: ${vm.error}; njs answered (above)`;
  }
  const vmError = vm.ok ? '' : vm.error;
  const njsError = njs.ok ? '' : njs.error;
  log(`njs: error: ${njsError}`);
  return `the function failed\n  vm emulator: ${vmError}\n  njs: ${njsError}`;
}

async function runLambda(code: string, event: LeEvent, kind: ArtifactKind, report: RunReport, log: Print, err: Print): Promise<ExitCode> {
  const logs: string[] = [];
  report.logs = logs;
  let result: unknown;
  try {
    result = await runLambdaArtifact(code, event, {}, { logs });
  } catch (e) {
    printLines('logs', logs, log);
    report.error = `the handler failed: ${(e as Error)?.message ?? e}`;
    err(`edge run: ${report.error}`);
    return EXIT.rejected;
  }
  report.result = result;
  log(JSON.stringify(result, null, 2));
  printLines('logs', logs, log);
  if (kind.runtime) log(`runtime: ${kind.runtime}`);
  return EXIT.ok;
}

/** njs's run for the --json report: its result, and where it differs from the vm emulator's. */
function njsReport(vm: EmulatorRun, njs: EmulatorRun | undefined): RunReport['njs'] {
  if (!njs) return { installed: false };
  if (!njs.ok) return { installed: true, ok: false, error: njs.error };
  const diff = vm.ok ? differences(answerOf(vm), answerOf(njs), ['vm', 'njs']) : undefined;
  return { installed: true, ok: true, same: diff ? !diff.length : false, result: njs.result, logs: logsOf(njs) ?? [], ...(diff ? { differences: diff } : {}) };
}

/** The result and the origin set with cf.updateRequestOrigin (runtime 2.0), as they are compared. */
function answerOf(run: Extract<EmulatorRun, { ok: true }>): unknown {
  return run.origin ? { result: run.result, origin: run.origin } : { result: run.result };
}

function printAnswer(run: Extract<EmulatorRun, { ok: true }>, log: Print): void {
  log(JSON.stringify(run.result, null, 2));
  if (run.origin) log(`origin (cf.updateRequestOrigin): ${JSON.stringify(run.origin, null, 2)}`);
}

/**
 * The lines the function logged: once when the engines that logged agree, else each engine's,
 * named. An engine that reports no lines (it logged none, or does not collect them) is left out.
 */
function printLogs(vm: EmulatorRun, njs: EmulatorRun | undefined, log: Print): void {
  const engines: [string, string[]][] = [];
  for (const [name, run] of [['vm emulator', vm], ['njs', njs]] as const) {
    const lines = run && logsOf(run);
    if (lines?.length) engines.push([name, lines]);
  }
  if (!engines.length) return printLines('logs', [], log);
  if (engines.length === 1 || JSON.stringify(engines[0][1]) === JSON.stringify(engines[1][1])) return printLines(engines.length === 1 ? `logs (${engines[0][0]})` : 'logs', engines[0][1], log);
  for (const [name, lines] of engines) printLines(`logs (${name})`, lines, log);
}

function logsOf(run: EmulatorRun): string[] | undefined {
  const logs = (run as { logs?: unknown }).logs;
  return Array.isArray(logs) ? logs.map(String) : undefined;
}

function printLines(title: string, lines: string[], log: Print): void {
  if (!lines.length) return log(`${title}: none`);
  log(`${title}:\n${lines.map((l) => l.split('\n').map((s) => `  ${s}`).join('\n')).join('\n')}`);
}

/** The kind with --runtime applied: it may choose the runtime only where the manifest or the code does not settle it. */
function withRuntime(kind: ArtifactKind, runtime: string | undefined, artifact: string): ArtifactKind {
  if (runtime === undefined || (kind.target === 'cf' && kind.runtime === runtime)) return kind;
  if (kind.target === 'lambda') {
    throw new UsageError(`--runtime is for CloudFront Functions, and ${artifact} is a ${describeKind(kind)}, read from ${kind.from}`);
  }
  if (kind.from.indexOf('parses as ES5.1') >= 0) return { ...kind, runtime: runtime as CfRuntime, from: `--runtime (${artifact} has no manifest.json beside it)` };
  throw new UsageError(`${artifact} is a ${describeKind(kind)}, read from ${kind.from}: --runtime ${runtime} does not match it; rebuild with edge build --runtime ${runtime} to run it there`);
}

/** The event must have the shape and the event type the artifact takes. */
function checkEvent(kind: ArtifactKind, event: Record<string, unknown>, artifact: string, file: string): void {
  const isLambdaEvent = Array.isArray(event.Records);
  const isCfEvent = !isLambdaEvent && (isObject(event.request) || isObject(event.response) || isObject(event.context));
  const lambdaShape = `{ "Records": [{ "cf": { "config": { "eventType": "${kind.eventType ?? 'viewer-request'}" }, "request": ... } }] }`;
  const cfShape = `{ "version": "1.0", "context": { "eventType": "${kind.eventType ?? 'viewer-request'}" }, "viewer": ..., "request": ... }`;
  if (!isLambdaEvent && !isCfEvent) {
    throw new UsageError(`event file ${file} is neither a CloudFront Functions event nor a Lambda@Edge event; ${artifact} is a ${describeKind(kind)} and takes ${kind.target === 'cf' ? cfShape : lambdaShape}`);
  }
  if (kind.target === 'cf' && isLambdaEvent) {
    throw new UsageError(`event file ${file} is a Lambda@Edge event (Records[0].cf), but ${artifact} is a ${describeKind(kind)}: give it a CloudFront Functions event, ${cfShape}`);
  }
  if (kind.target === 'lambda' && isCfEvent) {
    throw new UsageError(`event file ${file} is a CloudFront Functions event, but ${artifact} is a ${describeKind(kind)}: give it a Lambda@Edge event, ${lambdaShape}`);
  }
  const records = event.Records as { cf?: { config?: { eventType?: unknown } } }[] | undefined;
  const given = isLambdaEvent ? records?.[0]?.cf?.config?.eventType : (event.context as { eventType?: unknown } | undefined)?.eventType;
  if (kind.eventType && typeof given === 'string' && given !== kind.eventType) {
    throw new UsageError(`event file ${file} is ${an(given)} event, but ${artifact} is a ${describeKind(kind)}: give it ${an(kind.eventType)} event`);
  }
}

/** A KeyValueStore from a JSON object of string keys and string values. */
async function readKvs(file: string): Promise<Record<string, string>> {
  if (!existsSync(file)) throw new UsageError(`--kvs file ${file} does not exist`);
  const kvs = await readJson(file, '--kvs file');
  const bad = Object.keys(kvs).filter((k) => typeof kvs[k] !== 'string');
  if (bad.length) {
    throw new UsageError(`--kvs file ${file} must map keys to string values (a KeyValueStore holds strings); not strings: ${bad.slice(0, 5).map((k) => JSON.stringify(k)).join(', ')}${bad.length > 5 ? ', ...' : ''}`);
  }
  return kvs as Record<string, string>;
}

async function readJson(file: string, what: string): Promise<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`${what} ${file} is not JSON: ${(e as Error).message}`);
  }
  if (!isObject(value)) throw new UsageError(`${what} ${file} must hold a JSON object`);
  return value;
}

/** `an origin-request`, `a viewer-request`. */
function an(eventType: string): string {
  return `${/^[aeiou]/i.test(eventType) ? 'an' : 'a'} ${eventType}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
