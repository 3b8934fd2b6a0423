import { createRequire } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EntryError, UsageError } from './errors.js';

type Ts = typeof import('typescript');

/**
 * `edge build --typecheck`: the TypeScript checker on the entry and what it imports, with the
 * tsconfig.json nearest the entry (strict defaults without one). TypeScript is loaded only here,
 * from the entry's project first (the version the user pinned), else from beside the CLI.
 * Throws EntryError listing the errors.
 */
export async function typecheck(entry: string): Promise<void> {
  const path = resolve(entry);
  const ts = await loadTypescript(dirname(path));
  const configFile = ts.findConfigFile(dirname(path), ts.sys.fileExists, 'tsconfig.json');
  const { options, declarations } = compilerOptions(ts, configFile);
  if (/\.[cm]?jsx?$/.test(path)) options.allowJs = true;
  // The entry and what it imports, with the project's own declaration files (globals it declares).
  const program = ts.createProgram([path, ...declarations], { ...options, noEmit: true });
  const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (!diagnostics.length) return;
  const text = ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => process.cwd(),
    getNewLine: () => '\n',
  });
  const count = `${diagnostics.length} error${diagnostics.length === 1 ? '' : 's'}`;
  const config = configFile ? `, with ${relative(process.cwd(), configFile) || 'tsconfig.json'}` : '';
  throw new EntryError(`${entry} does not type-check (${count}${config}); nothing was built:\n${text.trimEnd()}`);
}

function compilerOptions(ts: Ts, configFile: string | undefined): { options: import('typescript').CompilerOptions; declarations: string[] } {
  if (!configFile) {
    return {
      options: { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.Preserve, moduleResolution: ts.ModuleResolutionKind.Bundler, skipLibCheck: true },
      declarations: [],
    };
  }
  const read = ts.readConfigFile(configFile, ts.sys.readFile);
  if (read.error) throw new EntryError(`cannot read ${configFile}: ${ts.flattenDiagnosticMessageText(read.error.messageText, '\n')}`);
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(configFile), undefined, configFile);
  // 18003: "No inputs were found": the entry is checked whatever the config includes.
  const errors = parsed.errors.filter((d) => d.code !== 18003);
  if (errors.length) throw new EntryError(`cannot use ${configFile}: ${errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('; ')}`);
  return { options: parsed.options, declarations: parsed.fileNames.filter((f) => /\.d\.[cm]?ts$/.test(f)) };
}

async function loadTypescript(from: string): Promise<Ts> {
  const name = 'typescript';
  let mod: Ts & { default?: Ts };
  try {
    mod = await import(pathToFileURL(createRequire(`${from}/`).resolve(name)).href);
  } catch {
    try {
      // A computed name: bundlers leave it to run time, so TypeScript is never bundled into the CLI.
      mod = await import(name);
    } catch {
      throw new UsageError('--typecheck needs the typescript package: npm install --save-dev typescript');
    }
  }
  return mod.default ?? mod;
}
