import { build, type Message, type Metafile, type Plugin } from 'esbuild';
import Module from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isPipeline, type Capability, type Pipeline } from '@edgeline/core';
import { EntryError } from './errors.js';

/** A loaded entry: its pipeline and every local file it was built from (for `edge build --watch`). */
export interface LoadedEntry {
  pipeline: Pipeline<Capability>;
  /** Absolute paths of the entry and the local files it imports or requires (not packages). */
  inputs: string[];
}

/**
 * Loads a TypeScript or JavaScript entry that exports an `edge()` pipeline: `export default
 * edge()...` or, in CommonJS, `module.exports = edge()...`.
 * @example const pipeline = await loadEntry('edge.ts');
 */
export async function loadEntry(entry: string): Promise<Pipeline<Capability>> {
  return (await readEntry(entry)).pipeline;
}

/**
 * The entry is bundled in memory to CommonJS (packages stay external) and compiled as a module
 * at the entry's own path: its packages resolve from the entry's folder as Node would resolve
 * them there, and nothing is written beside it. CommonJS keeps a hook's `require('crypto')` as
 * written (an ESM bundle would rename it `__require`), and hooks are lowered from their source
 * text. A relative `require('./x')` stays as written too, for the same reason: a hook that
 * requires a local file keeps naming it, and the Lambda@Edge build bundles it from there.
 */
export async function readEntry(entry: string): Promise<LoadedEntry> {
  const path = resolve(entry);
  if (!existsSync(path)) throw new EntryError(`entry ${entry} does not exist`);
  const inputs = new Set<string>();
  let exported: unknown;
  try {
    exported = await loadModule(path, { root: dirname(path), inputs, loaded: new Map() });
  } catch (e) {
    if (e instanceof EntryError) throw e;
    throw new EntryError(`cannot load ${entry}: ${messageOf(e)}`);
  }
  const pipeline = pipelineOf(exported);
  if (!pipeline) throw new EntryError(`${entry} must export an edge() pipeline: export default edge().use(...), or module.exports = edge().use(...) in CommonJS (${describeExport(exported)})`);
  return { pipeline, inputs: [...inputs] };
}

/** The pipeline a module exports: `module.exports` itself (CommonJS) or its default export. */
function pipelineOf(exported: unknown): Pipeline<Capability> | undefined {
  if (isPipeline(exported)) return exported;
  const fallback = (exported as { default?: unknown } | null | undefined)?.default;
  return isPipeline(fallback) ? fallback : undefined;
}

function describeExport(exported: unknown): string {
  const value = pipelineExport(exported);
  if (value === undefined) return 'it exports none';
  if (value === null) return 'it exports null';
  if (typeof value === 'function') return 'it exports a function: call it, or export what it returns';
  if (typeof value === 'object' && Object.keys(value as object).length === 0) return 'it exports nothing';
  return `it exports ${Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object that is not a pipeline' : `a ${typeof value}`}`;
}

function pipelineExport(exported: unknown): unknown {
  if (typeof exported === 'object' && exported !== null && 'default' in exported) return (exported as { default: unknown }).default;
  return exported;
}

/** Bundles one local module and compiles it at its own path; its relative requires come here too. */
interface Load {
  /** The entry's folder: relative requires are written relative to it. */
  root: string;
  inputs: Set<string>;
  loaded: Map<string, Module>;
}

async function loadModule(path: string, load: Load): Promise<unknown> {
  const { inputs, loaded } = load;
  const done = loaded.get(path);
  if (done) return done.exports;
  const result = await build({
    entryPoints: [path],
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [keepRelativeRequires(load.root)],
  }).catch((e: { errors?: Message[] }) => {
    throw new EntryError(`cannot load ${shown(path)}: ${formatMessages(e.errors) ?? messageOf(e)}`);
  });
  for (const input of Object.keys(result.metafile.inputs)) inputs.add(resolve(input));
  const mod = new Module(path) as Module & { _compile(code: string, filename: string): void };
  mod.filename = path;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(path));
  loaded.set(path, mod);
  // Relative requires were left as written: resolve them as esbuild would (extensionless, .ts) and
  // load them the same way, so a TypeScript helper required at the top level works too.
  const requireLocal = await localRequires(result.metafile, load);
  const shared = await sharedPackages(result.metafile, mod);
  const native = mod.require.bind(mod);
  (mod as { require(id: string): unknown }).require = (id: string) => requireLocal.get(id) ?? shared.get(id) ?? native(id);
  mod._compile(result.outputFiles[0].text, path);
  return mod.exports;
}

/**
 * The Edgeline packages the entry imports, as ES modules: specifier -> namespace. Required as
 * CommonJS they would be a second copy of @edgeline/core (and of acorn) beside the one this CLI
 * runs, ~0.1 s of a cold build. Only where the entry's project resolves the same files this
 * package ships in both formats (`x.cjs` beside `x.js`); anything else is required as usual.
 */
async function sharedPackages(metafile: Metafile, mod: Module): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  const resolveFrom = Module as unknown as { _resolveFilename(id: string, parent: Module): string };
  for (const input of Object.values(metafile.inputs)) {
    for (const imp of input.imports) {
      if (!imp.external || !imp.path.startsWith('@edgeline/') || out.has(imp.path)) continue;
      try {
        const cjs = resolveFrom._resolveFilename(imp.path, mod);
        const esm = cjs.replace(/\.cjs$/, '.js');
        if (esm !== cjs && existsSync(esm)) out.set(imp.path, await import(pathToFileURL(esm).href));
      } catch {
        // not resolvable as such: the entry's own require reports it
      }
    }
  }
  return out;
}

/** The relative `require()`s of a bundle, loaded: specifier -> exports. */
async function localRequires(metafile: Metafile, load: Load): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  for (const input of Object.values(metafile.inputs)) {
    for (const imp of input.imports) {
      if (!imp.external || imp.kind !== 'require-call' || !isRelative(imp.path)) continue;
      const target = out.has(imp.path) ? undefined : await resolveLocal(imp.path, load.root);
      if (target) out.set(imp.path, await loadModule(target, load));
    }
  }
  return out;
}

/**
 * Keeps `require('./x')` as written in the bundle (only requires: an `import` is bundled), so a
 * hook that requires a local file still names it when it is lowered. The path is made relative
 * to the entry's folder, where the Lambda@Edge build resolves a hook's requires.
 */
function keepRelativeRequires(root: string): Plugin {
  return {
    name: 'edgeline-keep-relative-requires',
    setup(b) {
      b.onResolve({ filter: /^\.\.?(\/|$)/ }, (args) => {
        if (args.kind !== 'require-call') return undefined;
        const rel = relative(root, resolve(args.resolveDir, args.path)).split('\\').join('/');
        return { path: rel.startsWith('.') ? rel : `./${rel}`, external: true };
      });
    },
  };
}

async function resolveLocal(spec: string, dir: string): Promise<string | undefined> {
  const result = await build({
    stdin: { contents: `require(${JSON.stringify(spec)})`, resolveDir: dir },
    bundle: true, write: false, metafile: true, platform: 'node', format: 'cjs', logLevel: 'silent', packages: 'external',
  }).catch(() => undefined);
  const found = result && Object.keys(result.metafile.inputs).find((p) => p !== '<stdin>');
  return found ? resolve(found) : undefined;
}

function isRelative(spec: string): boolean {
  return spec === '.' || spec === '..' || spec.startsWith('./') || spec.startsWith('../');
}

/** A path as the user would write it: relative to the working directory when inside it. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

function formatMessages(errors: Message[] | undefined): string | undefined {
  if (!Array.isArray(errors) || !errors.length) return undefined;
  return errors.map((m) => (m.location ? `${m.location.file}:${m.location.line}:${m.location.column + 1}: ${m.text}` : m.text)).join('; ');
}

function messageOf(e: unknown): string {
  return (e as Error)?.message ?? String(e);
}
