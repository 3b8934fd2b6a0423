import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import type { CfRuntime } from '@edgeline/core';
import type { CffEvent, LeEvent } from '@edgeline/core/runtime';
import { hasNjs, MAX_BYTES, runInEmulator, runInNjs } from '@edgeline/cf-target';
import { runLambdaArtifact } from '@edgeline/lambda-target';
import { EXIT, UsageError, type ExitCode } from '../errors.js';

export const RUN_USAGE = 'edge run <artifact> --event <file.json> [--runtime cloudfront-js-1.0|cloudfront-js-2.0]';

interface ManifestEntry {
  file: string;
  runtime: string;
  limitBytes: number;
}

/** Like the console's Test function: one artifact, one event; the result, the njs verdict, the size. */
export async function runCommand(argv: string[], log: (s: string) => void): Promise<ExitCode> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { event: { type: 'string' }, runtime: { type: 'string' } },
  });
  if (positionals.length !== 1) throw new UsageError('give exactly one artifact');
  if (!values.event) throw new UsageError('--event <file.json> is required');
  const artifact = positionals[0];
  if (!existsSync(artifact)) throw new UsageError(`artifact ${artifact} does not exist`);
  if (!existsSync(values.event)) throw new UsageError(`event file ${values.event} does not exist`);
  const code = await readFile(artifact, 'utf8');
  let event: CffEvent | LeEvent;
  try {
    event = JSON.parse(await readFile(values.event, 'utf8'));
  } catch (e) {
    throw new UsageError(`event file ${values.event} is not JSON: ${(e as Error).message}`);
  }
  const entry = await manifestEntry(artifact);
  if ('Records' in event) return runLambda(code, event, entry, log);
  const runtime = (values.runtime ?? entry?.runtime ?? 'cloudfront-js-1.0') as CfRuntime;
  if (runtime !== 'cloudfront-js-1.0' && runtime !== 'cloudfront-js-2.0') throw new UsageError(`--runtime must be cloudfront-js-1.0 or cloudfront-js-2.0`);
  const vm = await runInEmulator(code, event, { runtime });
  log(JSON.stringify(vm.ok ? vm.result : { error: vm.error }, null, 2));
  let verdict = 'njs: not installed (apt-get install -y njs)';
  let failed = !vm.ok;
  if (await hasNjs()) {
    const [njs] = await runInNjs(code, [event], { runtime });
    const same = njs.ok && vm.ok && JSON.stringify(njs.result) === JSON.stringify(vm.result);
    verdict = njs.ok ? `njs: ok${same ? ', same result' : ', DIFFERENT result: ' + JSON.stringify(njs.result)}` : `njs: error: ${njs.error}`;
    failed = failed || !njs.ok;
  }
  log(verdict);
  const bytes = Buffer.byteLength(code);
  log(`size: ${bytes} B of ${MAX_BYTES} B (${Math.round((bytes / MAX_BYTES) * 100)}%), ${runtime}`);
  return failed ? EXIT.rejected : EXIT.ok;
}

async function runLambda(code: string, event: LeEvent, entry: ManifestEntry | undefined, log: (s: string) => void): Promise<ExitCode> {
  const result = await runLambdaArtifact(code, event);
  log(JSON.stringify(result, null, 2));
  if (entry) log(`runtime: ${entry.runtime}`);
  return EXIT.ok;
}

/** The manifest entry of an artifact, from the manifest.json of its build (cf: beside it; lambda: one folder up). */
async function manifestEntry(artifact: string): Promise<ManifestEntry | undefined> {
  for (const dir of [dirname(artifact), dirname(dirname(artifact))]) {
    const path = join(dir, 'manifest.json');
    if (!existsSync(path)) continue;
    try {
      const manifest = JSON.parse(await readFile(path, 'utf8')) as { artifacts?: ManifestEntry[] };
      const rel = relative(dir, artifact).split('\\').join('/');
      const found = manifest.artifacts?.find((a) => a.file === rel || a.file === basename(artifact));
      if (found) return found;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
