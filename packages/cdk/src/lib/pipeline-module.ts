import { configLiteral, hookSource, type Capability, type CfRuntime, type Middleware, type Pipeline } from '@edgeline/core';

const CF_RUNTIMES: readonly CfRuntime[] = ['cloudfront-js-1.0', 'cloudfront-js-2.0'];

/** Fields of a middleware that are plain data, copied as JSON. */
const DATA = ['kind', 'name', 'needs', 'config', 'runsAt', 'onError', 'warnings'] as const;
const CODE = new Set(['request', 'response', 'direct']);

/**
 * The source of a CommonJS entry that exports `pipeline` again, so that `edge build` can build a
 * pipeline object the CDK app holds in memory: a construct is synchronous and a build is not, so
 * it runs in a child process, which can load an entry but not receive an object with functions.
 *
 * Nothing is lost on the way, because a build reads only what survives as text: hooks are lowered
 * from their source (the same `hookSource` the build calls: a hook that closes over an outer
 * variable is refused here with the build's own NotPortableError), options are inlined as JSON
 * (`configLiteral`, same check), and a middleware's hand-written lowering (`direct`) is a function
 * of its config alone, so it is called here, for each runtime, and its plain-data answer written down.
 * The pipeline is written as plain objects (`isPipeline` takes `{ kind: 'pipeline' }`): the
 * entry requires nothing, so it loads wherever it is written.
 */
export function pipelineModule(pipeline: Pipeline<Capability>): string {
  const middleware = pipeline.middleware.map((mw) => middlewareLiteral(mw));
  return (
    '// Written by @edgeline/cdk: the pipeline given to EdgelineBehavior, as an entry edge build loads.\n' +
    `module.exports = { kind: 'pipeline', middleware: [\n${middleware.join(',\n')}\n] };\n`
  );
}

function middlewareLiteral(mw: Middleware): string {
  const unknown = Object.keys(mw).filter((k) => !CODE.has(k) && !(DATA as readonly string[]).includes(k) && typeof (mw as any)[k] === 'function');
  if (unknown.length) {
    throw new TypeError(`middleware '${mw.name}': ${unknown.join(', ')} is a function EdgelineBehavior cannot pass to the build; give the pipeline as entry: 'edge.ts' instead`);
  }
  const fields: string[] = [];
  for (const key of Object.keys(mw)) {
    if (CODE.has(key)) continue;
    const value = (mw as any)[key];
    if (value === undefined) continue;
    fields.push(`${JSON.stringify(key)}: ${key === 'config' ? configLiteral(mw.name, value) : JSON.stringify(value)}`);
  }
  for (const hook of ['request', 'response'] as const) {
    const fn = mw[hook];
    if (fn !== undefined) fields.push(`${hook}: (${hookSource(mw.name, hook, fn)})`);
  }
  fields.push(`direct: ${directLiteral(mw)}`);
  return `  { ${fields.join(',\n    ')} }`;
}

/** `direct.cff(config, runtime)` and `direct.lambda(config)` as functions returning what they returned here. */
function directLiteral(mw: Middleware): string {
  const parts: string[] = [];
  const { cff, lambda } = mw.direct ?? {};
  if (cff) {
    const cases = CF_RUNTIMES.map((r) => `if (runtime === ${JSON.stringify(r)}) return ${json(cff(mw.config, r))};`);
    parts.push(`cff: function (config, runtime) { ${cases.join(' ')} return undefined; }`);
  }
  if (lambda) parts.push(`lambda: function () { return ${json(lambda(mw.config))}; }`);
  return `{ ${parts.join(', ')} }`;
}

function json(value: unknown): string {
  return value === undefined ? 'undefined' : JSON.stringify(value);
}
