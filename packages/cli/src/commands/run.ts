import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { CfRuntime } from '@edgeline/core';
import type { CffEvent, LeEvent } from '@edgeline/core/runtime';
import { hasNjs, MAX_BYTES, runInEmulator, runInNjs, type EmulatorRun } from '@edgeline/cf-target';
import { runLambdaArtifact } from '@edgeline/lambda-target';
import { artifactKind, describeKind, type ArtifactKind } from '../artifact-kind.js';
import { differences } from '../diff.js';
import { EXIT, UsageError, type ExitCode } from '../errors.js';

export const RUN_USAGE = 'edge run <artifact> --event <file.json> [--kvs <file.json>] [--runtime cloudfront-js-1.0|cloudfront-js-2.0]';

const CF_RUNTIMES: readonly string[] = ['cloudfront-js-1.0', 'cloudfront-js-2.0'];

type Print = (s: string) => void;

/**
 * Like the console's Test function: one artifact, one event. Prints what the artifact is (from
 * the manifest beside it, else from its code), its result, what it logged, and for a CloudFront
 * Function the njs verdict and the size. Exit 1 when the function fails or the engines disagree.
 */
export async function runCommand(argv: string[], log: Print, err: Print = log): Promise<ExitCode> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { event: { type: 'string' }, runtime: { type: 'string' }, kvs: { type: 'string' } },
  });
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
  if (kind.target === 'lambda') return runLambda(code, event as unknown as LeEvent, kind, log, err);
  return runCf(code, event as unknown as CffEvent, kind.runtime, kvs, log, err);
}

async function runCf(code: string, event: CffEvent, runtime: CfRuntime, kvs: Record<string, string> | undefined, log: Print, err: Print): Promise<ExitCode> {
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

async function runLambda(code: string, event: LeEvent, kind: ArtifactKind, log: Print, err: Print): Promise<ExitCode> {
  const logs: string[] = [];
  let result: unknown;
  try {
    result = await runLambdaArtifact(code, event, {}, { logs });
  } catch (e) {
    printLines('logs', logs, log);
    err(`edge run: the handler failed: ${(e as Error)?.message ?? e}`);
    return EXIT.rejected;
  }
  log(JSON.stringify(result, null, 2));
  printLines('logs', logs, log);
  if (kind.runtime) log(`runtime: ${kind.runtime}`);
  return EXIT.ok;
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
