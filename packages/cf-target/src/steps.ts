import { build as esbuild, transform } from 'esbuild';
import ts from 'typescript';
import { fileURLToPath } from 'node:url';

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
    target: 'es2020',
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

/** TypeScript 5.9's ES5 emit: the smallest lowering measured (../shared/docs/es5-lowering.md). */
export function lowerToEs5(code: string): string {
  return ts.transpileModule(code, {
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
}

/**
 * Minifies without renaming the top-level `handler`. `target: 'es5'` keeps esbuild from
 * turning string concatenation into template literals, which acorn's ES5 parser would refuse.
 */
export async function minify(code: string): Promise<string> {
  const out = await transform(code, { minify: true, target: 'es5', legalComments: 'none', charset: 'utf8' });
  return out.code;
}

export async function minifiedBytes(code: string): Promise<number> {
  try {
    return Buffer.byteLength(await minify(lowerToEs5(code)));
  } catch {
    return Buffer.byteLength(code);
  }
}
