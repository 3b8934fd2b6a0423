import { DEFAULT_CF_RUNTIME, manifestOf, type CfRuntime } from '@edgeline/core';
import { NODE_RUNTIMES } from '@edgeline/lambda-target';
import { build, type BuildOptions, type BuildOutcome, type NodeRuntime, type Target } from '../build.js';
import { autoManifest, buildAuto, type AutoBuildOptions, type AutoBuildOutcome } from '../build-auto.js';
import type { Command, Io } from '../command.js';
import { EXIT, UsageError, type ExitCode } from '../errors.js';
import { artifactTable, planLines, violationList } from '../print.js';

const RUNTIMES: readonly CfRuntime[] = ['cloudfront-js-1.0', 'cloudfront-js-2.0'];

export const buildCommand: Command = {
  name: 'build',
  args: '<entry>',
  summary: 'Build the pipeline an entry exports: per event type a CloudFront Function where it can run, else Lambda@Edge (--target auto, the default), or all for one (--target cf|lambda).',
  details:
    'The entry exports an edge() pipeline: export default edge().use(...), or module.exports = edge().use(...)\n' +
    'in CommonJS. Packages resolve from the entry\'s folder. Prints each artifact\'s size against its limit\n' +
    'and the bytes each middleware adds. Rejected (exit 1): every middleware the target cannot run, with\n' +
    'why and the fix, on stderr; nothing is written.\n' +
    'auto (the default) prints the plan first: per event type, a CloudFront Function (cloudfront-js-2.0 unless\n' +
    '--runtime pins 1.0) when every hook there can run on one, else Lambda@Edge with why (origin events:\n' +
    'always Lambda@Edge), and the estimated price per million requests; it writes <out>/cf/ and <out>/lambda/\n' +
    'as the targets below lay them out, and one <out>/manifest.json with the plan and every artifact.\n' +
    'cf writes <out>/viewer-request.js, viewer-response.js and manifest.json; lambda writes\n' +
    '<out>/<event-type>/index.js, <out>/<event-type>.zip and manifest.json.',
  options: {
    target: { type: 'string', value: 'auto|cf|lambda', description: 'default auto: each event type where it is cheapest to run; cf: CloudFront Functions; lambda: Lambda@Edge' },
    runtime: { type: 'string', value: RUNTIMES.join('|'), description: 'cf and auto (default cloudfront-js-2.0; cloudfront-js-1.0 for ES5.1)' },
    node: { type: 'string', value: NODE_RUNTIMES.join('|'), description: `lambda and auto (default ${NODE_RUNTIMES[0]})` },
    out: { type: 'string', value: '<dir>', description: 'where to write (default dist/edge/<target>; auto: dist/edge)' },
    'no-minify': { type: 'boolean', description: 'readable output; written with a warning if it fits only minified' },
    typecheck: { type: 'boolean', description: 'run the TypeScript checker on the entry first (exit 2 on type errors)' },
    json: { type: 'boolean', description: 'print the manifest (auto: with the plan) as JSON on stdout instead of the table' },
    watch: { type: 'boolean', description: 'rebuild when the entry or a file it imports changes (Ctrl-C to stop)' },
    emit: { type: 'string', value: 'cloudformation', description: 'also write <out>/template.json, a CloudFormation template of the functions (--target cf or lambda)' },
  },
  examples: [
    'edge build edge.ts',
    'edge build edge.ts --target auto --runtime cloudfront-js-1.0 --json',
    'edge build edge.ts --target cf',
    'edge build edge.ts --target cf --runtime cloudfront-js-2.0 --typecheck',
    'edge build examples/jwt-cognito/edge.ts --target lambda --node nodejs24.x --out dist/lambda',
    'edge build edge.ts --target cf --watch',
  ],
  async run({ values, positionals }, io) {
    if (values.emit !== undefined && values.emit !== 'cloudformation') throw new UsageError(`--emit takes cloudformation (got ${values.emit})`);
    if (values.target === undefined || values.target === 'auto') {
      if (values.emit !== undefined) throw new UsageError('--emit cloudformation needs --target cf or --target lambda (an auto build mixes both: deploy it with @edgeline/cdk)');
      const auto = autoOptions(values, positionals);
      const print = (outcome: AutoBuildOutcome) => reportAuto(outcome, auto, values.json === true, io);
      if (values.watch) {
        const { watchBuild } = await import('../watch.js');
        return watchBuild(auto, print, io, buildAuto);
      }
      return print(await buildAuto(auto));
    }
    const options = buildOptions(values, positionals);
    if (values.watch) {
      const { watchBuild } = await import('../watch.js');
      return watchBuild(options, (outcome: BuildOutcome) => report(outcome, options, values.json === true, io), io, build);
    }
    return report(await build(options), options, values.json === true, io);
  },
};

function entryOf(positionals: string[]): string {
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `give one entry (got ${positionals.join(', ')})` : 'give the entry: edge build <entry> [--target auto|cf|lambda]');
  return positionals[0];
}

function autoOptions(values: Record<string, string | boolean | undefined>, positionals: string[]): AutoBuildOptions {
  const entry = entryOf(positionals);
  const runtime = values.runtime as string | undefined;
  if (runtime !== undefined && !RUNTIMES.includes(runtime as CfRuntime)) throw new UsageError(`--runtime takes ${RUNTIMES.join(' or ')}`);
  const node = values.node as string | undefined;
  if (node !== undefined && !NODE_RUNTIMES.includes(node as NodeRuntime)) {
    const retired = node === 'nodejs20.x' ? ' (AWS deprecated nodejs20.x on 2026-04-30)' : '';
    throw new UsageError(`--node takes ${NODE_RUNTIMES.join(' or ')}${retired}`);
  }
  return {
    entry,
    runtime: runtime as CfRuntime | undefined,
    node: node as NodeRuntime | undefined,
    out: values.out as string | undefined,
    minify: values['no-minify'] ? false : true,
    typecheck: values.typecheck === true,
  };
}

function buildOptions(values: Record<string, string | boolean | undefined>, positionals: string[]): BuildOptions {
  entryOf(positionals);
  const target = values.target as Target | undefined;
  if (target !== 'cf' && target !== 'lambda') throw new UsageError(`--target must be auto, cf or lambda (got ${values.target ?? 'nothing'})`);
  const runtime = values.runtime as string | undefined;
  if (runtime !== undefined && (target !== 'cf' || !RUNTIMES.includes(runtime as CfRuntime))) {
    throw new UsageError(`--runtime takes ${RUNTIMES.join(' or ')}, with --target cf`);
  }
  const node = values.node as string | undefined;
  if (node !== undefined && (target !== 'lambda' || !NODE_RUNTIMES.includes(node as NodeRuntime))) {
    const retired = node === 'nodejs20.x' ? ' (AWS deprecated nodejs20.x on 2026-04-30)' : '';
    throw new UsageError(`--node takes ${NODE_RUNTIMES.join(' or ')}, with --target lambda${target === 'lambda' ? retired : ''}`);
  }
  return {
    entry: positionals[0],
    target,
    runtime: runtime as CfRuntime | undefined,
    node: node as NodeRuntime | undefined,
    out: values.out as string | undefined,
    minify: values['no-minify'] ? false : true,
    typecheck: values.typecheck === true,
    emit: values.emit === 'cloudformation' ? 'cloudformation' : undefined,
  };
}

/** Prints one build: warnings and rejections on stderr, the table (or the manifest as JSON) on stdout. */
export function report(outcome: BuildOutcome, options: BuildOptions, json: boolean, io: Io): ExitCode {
  const { result, out, warnings, sizes } = outcome;
  for (const w of warnings) io.err(`warning: ${w}`);
  if (!result.ok) {
    io.err(violationList(result.violations, options.target === 'cf' ? (options.runtime ?? DEFAULT_CF_RUNTIME) : 'lambda'));
    if (json) io.out(JSON.stringify({ ok: false, target: result.target, entry: options.entry, violations: result.violations }, null, 2));
    return EXIT.rejected;
  }
  if (json) {
    io.out(JSON.stringify(outcome.manifest ?? manifestOf(result, options.entry), null, 2));
    return EXIT.ok;
  }
  io.out(artifactTable(result.artifacts, out, sizes));
  if (options.emit === 'cloudformation') io.out(`template: ${out}/template.json`);
  io.out(`manifest: ${out}/manifest.json`);
  return EXIT.ok;
}

/** Prints an auto build: the plan and the table (or the manifest with the plan as JSON) on stdout; warnings and rejections on stderr. */
export function reportAuto(outcome: AutoBuildOutcome, options: AutoBuildOptions, json: boolean, io: Io): ExitCode {
  const { result, out, warnings, sizes, node } = outcome;
  for (const w of warnings) io.err(`warning: ${w}`);
  if (!result.ok) {
    io.err(violationList(result.violations, `--target auto (a CloudFront Function on ${options.runtime ?? 'cloudfront-js-2.0'} or Lambda@Edge at each event type)`));
    if (json) io.out(JSON.stringify({ ok: false, target: 'auto', entry: options.entry, violations: result.violations }, null, 2));
    return EXIT.rejected;
  }
  if (json) {
    io.out(JSON.stringify(autoManifest(result, options.entry, node), null, 2));
    return EXIT.ok;
  }
  io.out(planLines(result.plan, node).join('\n'));
  io.out('');
  io.out(artifactTable(result.artifacts, out, sizes));
  io.out(`manifest: ${out}/manifest.json`);
  return EXIT.ok;
}
