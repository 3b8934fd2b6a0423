import { allFeatures } from '@edgeline/core';
import { build as esbuild, type Message, type Metafile, type Plugin } from 'esbuild';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EmittedHandler, SizeShare } from '@edgeline/core';
import type { GuardOptions } from './runtime/guard.js';

/** The Lambda Node.js runtimes a handler is built for (nodejs20.x is deprecated by AWS: see build.ts). */
export type NodeRuntime = 'nodejs22.x' | 'nodejs24.x';

/** This file's folder: `src/` when run from sources, `dist/` when built; both sit beside `src/runtime/`. */
const HERE = dirname(fileURLToPath(import.meta.url));
/** The guard is bundled from its TypeScript source, which the package publishes (`src/runtime` in `files`). */
export const GUARD_FILE = join(resolve(HERE, '..'), 'src', 'runtime', 'guard.ts');
const RUNTIME = '@edgeline/core/runtime';
const HANDLER = 'edgeline:handler';
/** Lambda's Node.js runtimes provide AWS SDK v3: left out of the bundle, listed in the manifest. */
const PROVIDED = '@aws-sdk/';

export interface BundleInput {
  emitted: EmittedHandler;
  guard: GuardOptions;
  node: NodeRuntime;
  minify: boolean;
  /** Where the hooks' `require('...')` resolve from (the user's project). */
  resolveDir: string;
}

export interface Bundle {
  code: string;
  /** `@aws-sdk/*` modules the code requires, left to the runtime. */
  external: string[];
  /**
   * Bytes of the output per origin: `handler` (glue, hooks and configs), `runtime` (adapters and
   * guard), `package <name>` for what the hooks require from node_modules, `file <path>` otherwise.
   */
  shares: SizeShare[];
}

export type BundleResult = { ok: true; bundle: Bundle } | { ok: false; errors: Message[] };

/**
 * One CommonJS file for Node: the emitted glue and hooks (with whatever the hooks require), the
 * adapters, and the guard, whose result is assigned to `exports.handler`.
 */
export async function bundleHandler(input: BundleInput): Promise<BundleResult> {
  const runtime: string[] = [];
  if (!existsSync(GUARD_FILE)) throw new Error(`@edgeline/lambda-target is incomplete: ${GUARD_FILE} is missing`);
  // A synchronous handler imports only guardSync: the deadline code stays out of the bundle.
  const guard = input.guard.sync && !(input.guard.deadlineMs > 0) ? 'guardSync' : 'guard';
  const entry =
    `import { handler as run } from ${JSON.stringify(HANDLER)};\n` +
    `import { ${guard} } from ${JSON.stringify(GUARD_FILE)};\n` +
    `exports.handler = ${guard}(run, ${JSON.stringify(input.guard)});\n`;
  try {
    const result = await esbuild({
      stdin: { contents: entry, loader: 'js', resolveDir: HERE, sourcefile: 'edgeline-entry.js' },
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'cjs',
      target: input.node === 'nodejs24.x' ? 'node24' : 'node22',
      minify: input.minify,
      charset: 'utf8',
      external: [`${PROVIDED}*`],
      // Lambda@Edge keeps the whole adapter: fold the switches instead of testing them per request.
      define: allFeatures(),
      plugins: [handlerPlugin(`${input.emitted.glue}\n${input.emitted.declarations}`, input.resolveDir, runtime)],
      // The entry is an ES module that assigns `exports.handler` on purpose: the artifact must read as CommonJS.
      logOverride: { 'commonjs-variable-in-esm': 'silent' },
      logLevel: 'silent',
    });
    return { ok: true, bundle: { code: result.outputFiles[0].text, external: externalOf(result.metafile), shares: sharesOf(result.metafile, runtime) } };
  } catch (e) {
    const errors = (e as { errors?: Message[] }).errors;
    if (Array.isArray(errors) && errors.length) return { ok: false, errors };
    throw e;
  }
}

/**
 * Serves the glue and hooks as one module (the glue refers to the hooks by name), resolving the
 * hooks' requires from the user's folder but the adapters from this package, so the adapters
 * always match the glue that core emitted.
 */
function handlerPlugin(contents: string, resolveDir: string, runtime: string[]): Plugin {
  return {
    name: 'edgeline-handler',
    setup(build) {
      build.onResolve({ filter: /^edgeline:handler$/ }, (args) => ({ path: args.path, namespace: 'edgeline' }));
      build.onLoad({ filter: /.*/, namespace: 'edgeline' }, () => ({ contents, loader: 'js', resolveDir }));
      build.onResolve({ filter: /^@edgeline\/core\/runtime$/ }, async (args) => {
        if (args.pluginData === RUNTIME) return undefined;
        const found = await build.resolve(RUNTIME, { kind: args.kind, resolveDir: HERE, pluginData: RUNTIME });
        if (found.errors.length) return { errors: found.errors };
        runtime.push(dirname(found.path));
        return { path: found.path };
      });
    },
  };
}

function externalOf(metafile: Metafile): string[] {
  const out = new Set<string>();
  for (const file of Object.values(metafile.inputs)) {
    for (const imp of file.imports) if (imp.external && imp.path.indexOf(PROVIDED) === 0) out.add(imp.path);
  }
  return [...out].sort();
}

/** Groups the bytes each input adds to the output, for the size breakdown of an artifact over its limit. */
function sharesOf(metafile: Metafile, runtimeDirs: readonly string[]): SizeShare[] {
  const bytes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const part = partOf(path, runtimeDirs);
      bytes.set(part, (bytes.get(part) ?? 0) + input.bytesInOutput);
    }
  }
  return [...bytes].map(([part, n]) => ({ part, bytes: n })).sort((a, b) => b.bytes - a.bytes);
}

function partOf(path: string, runtimeDirs: readonly string[]): string {
  if (path === `edgeline:${HANDLER}`) return 'handler';
  // Metafile paths are relative to esbuild's working directory (the process's).
  const abs = resolve(path);
  if (abs === GUARD_FILE || path.endsWith('edgeline-entry.js') || runtimeDirs.some((d) => abs.indexOf(d) === 0)) return 'runtime';
  const pkg = /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(path);
  return pkg ? `package ${pkg[1].replace(/\\/g, '/')}` : `file ${path}`;
}
