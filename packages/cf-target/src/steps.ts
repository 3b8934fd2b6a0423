import { parse } from 'acorn';
import { build as esbuild, transform } from 'esbuild';
import type * as TS from 'typescript';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CODES, EdgelineError, type CfRuntime } from '@edgeline/core';
import { requireWithCodeCache } from './code-cache.js';

/** The adapters artifacts import, resolved from this package so a user's project needs nothing more. */
export const RUNTIME_MODULE = '@edgeline/core/runtime';
const HERE = fileURLToPath(new URL('.', import.meta.url));

/** Bundles the generated glue with the adapters it imports, tree-shaken; the `export` wrapper is removed. */
export async function bundleGlue(glue: string, define: Record<string, string> = {}): Promise<string> {
  const result = await esbuild({
    stdin: { contents: glue, loader: 'js', resolveDir: HERE, sourcefile: 'edge-handler.js' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    // ES2017 at most: what runtime 2.0 parses (syntax-2.ts); 1.0 lowers further.
    target: 'es2017',
    treeShaking: true,
    // Folds the feature switches and drops what they turn off; names stay readable.
    minifySyntax: true,
    define,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].text;
  // CloudFront wants a top-level `function handler(event)`, not a module export.
  return code.replace(/^export\s*\{[^}]*\};?\s*$/m, '');
}

/** The range the ES5 lowering is pinned to: TypeScript 6 deprecates `target: ES5` and 7 refuses it (TS5108). */
export const TYPESCRIPT_RANGE = '~5.9.3';
let typescript: typeof TS | undefined;
/** Writes TypeScript's code cache after the first lowering (code-cache.ts). */
let saveTypescriptCache = (): void => {};

/**
 * TypeScript is an optional peer dependency, loaded on the first CloudFront Function build and
 * not before, so `edge --help` and Lambda@Edge builds never pay for it. It is loaded by `require`
 * and not `import()`: Node's ES module loader scans the 9 MB CommonJS file for its export names
 * first, which tripled the load time (measured ~0.4 s against ~1.4 s of CPU). Resolved beside
 * this package first (where npm puts a peer), then from the current project (a global `edge`).
 */
export function loadTypescript(): typeof TS {
  if (typescript) return typescript;
  let found: typeof TS | undefined;
  let save = (): void => {};
  for (const from of [import.meta.url, join(process.cwd(), 'package.json')]) {
    try {
      const loaded = requireWithCodeCache(createRequire(from), 'typescript');
      found = loaded.exports as typeof TS;
      save = loaded.save;
      break;
    } catch {
      // not installed there: try the next place
    }
  }
  const fix = `install it in the project: npm install --save-dev typescript@${TYPESCRIPT_RANGE}`;
  if (!found) {
    throw new EdgelineError(CODES.config, `a CloudFront Function build lowers its code to ES5 with TypeScript ${TYPESCRIPT_RANGE}, which is not installed: ${fix}`);
  }
  if (!/^5\.9\./.test(found.version)) {
    throw new EdgelineError(
      CODES.config,
      `a CloudFront Function build lowers its code to ES5 with TypeScript ${TYPESCRIPT_RANGE}, and found TypeScript ${found.version} (6.0 deprecates and 7 refuses target ES5): ${fix}`,
    );
  }
  saveTypescriptCache = save;
  return (typescript = found);
}

/**
 * TypeScript 5.9's ES5 emit: the smallest lowering measured (../shared/docs/es5-lowering.md).
 * Code that is ES5 already (derived and direct handlers are written so) is returned as it is:
 * loading TypeScript is ~0.3 s of CPU, most of a cold `edge build`, and its ES5 emit of ES5 only
 * drops comments, which the minifier drops too.
 */
export function lowerToEs5(code: string): string {
  if (isEs5(code)) return code;
  const ts = loadTypescript();
  const lowered = ts.transpileModule(code, {
    compilerOptions: {
      target: ts.ScriptTarget.ES5,
      module: ts.ModuleKind.None,
      removeComments: true,
      noEmitHelpers: false,
      importHelpers: false,
      downlevelIteration: false,
    },
    reportDiagnostics: false,
  }).outputText;
  saveTypescriptCache();
  return lowered;
}

export function isEs5(code: string): boolean {
  try {
    parse(code, { ecmaVersion: 5, sourceType: 'script' });
    return true;
  } catch {
    return false;
  }
}

/**
 * What esbuild may keep or write beyond ES5, per runtime: 2.0's additions (syntax-2.ts), so its
 * minifier neither lowers them nor writes what 2.0 lacks (it would write `{ a }` for `{ a: a }`
 * on a modern target).
 */
const SUPPORTED: Record<CfRuntime, Record<string, boolean>> = {
  'cloudfront-js-1.0': {},
  'cloudfront-js-2.0': { arrow: true, 'template-literal': true, 'rest-argument': true, 'exponent-operator': true, 'const-and-let': true, 'async-await': true },
};

/**
 * Minifies without renaming the top-level `handler`. `target: 'es5'` keeps esbuild from
 * turning string concatenation into template literals, which acorn's ES5 parser would refuse.
 */
export async function minify(code: string, runtime: CfRuntime = 'cloudfront-js-1.0'): Promise<string> {
  const out = await transform(code, { minify: true, target: 'es5', supported: SUPPORTED[runtime], legalComments: 'none', charset: 'utf8' });
  return out.code;
}

/** Lays out code as a person would read it (`--no-minify`), keeping ES5 ES5. */
export async function format(code: string, runtime: CfRuntime = 'cloudfront-js-1.0'): Promise<string> {
  const out = await transform(code, { target: 'es5', supported: SUPPORTED[runtime], legalComments: 'none', charset: 'utf8' });
  return out.code;
}

export async function minifiedBytes(code: string): Promise<number> {
  try {
    return Buffer.byteLength(await minify(lowerToEs5(code)));
  } catch {
    return Buffer.byteLength(code);
  }
}
