import { parseArgs } from 'node:util';
import type { CfRuntime } from '@edgeline/core';
import { build, type NodeRuntime, type Target } from '../build.js';
import { EXIT, UsageError, type ExitCode } from '../errors.js';
import { artifactTable, violationList } from '../print.js';

export const BUILD_USAGE =
  'edge build <entry> --target cf|lambda [--runtime cloudfront-js-1.0|cloudfront-js-2.0] [--node nodejs22.x|nodejs24.x] [--out <dir>] [--no-minify]';

const RUNTIMES: readonly CfRuntime[] = ['cloudfront-js-1.0', 'cloudfront-js-2.0'];
const NODES: readonly NodeRuntime[] = ['nodejs22.x', 'nodejs24.x'];

export async function buildCommand(argv: string[], log: (s: string) => void): Promise<ExitCode> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      target: { type: 'string' },
      runtime: { type: 'string' },
      node: { type: 'string' },
      out: { type: 'string' },
      minify: { type: 'boolean', default: true },
      'no-minify': { type: 'boolean' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('give exactly one entry');
  const target = values.target as Target | undefined;
  if (target !== 'cf' && target !== 'lambda') throw new UsageError(`--target must be cf or lambda (got ${values.target ?? 'nothing'})`);
  if (values.runtime !== undefined && (target !== 'cf' || !RUNTIMES.includes(values.runtime as CfRuntime))) {
    throw new UsageError(`--runtime takes ${RUNTIMES.join(' or ')}, with --target cf`);
  }
  if (values.node !== undefined && (target !== 'lambda' || !NODES.includes(values.node as NodeRuntime))) {
    throw new UsageError(`--node takes ${NODES.join(' or ')}, with --target lambda`);
  }
  const { result, out, warnings } = await build({
    entry: positionals[0],
    target,
    runtime: values.runtime as CfRuntime | undefined,
    node: values.node as NodeRuntime | undefined,
    out: values.out,
    minify: values['no-minify'] ? false : values.minify,
  });
  for (const w of warnings) log(`warning: ${w}`);
  if (!result.ok) {
    log(violationList(result.violations, target === 'cf' ? (values.runtime ?? 'cloudfront-js-1.0') : 'lambda'));
    return EXIT.rejected;
  }
  log(artifactTable(result.artifacts, out));
  log(`manifest: ${out}/manifest.json`);
  return EXIT.ok;
}
