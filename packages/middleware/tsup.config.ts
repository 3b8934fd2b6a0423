import { defineConfig, type Options } from 'tsup';

type Plugin = NonNullable<Options['plugins']>[number];

/**
 * Hooks call `require('crypto')` (and `jose`, `dns`, `buffer`) as written, because they reach
 * artifacts as their source text. An ES module has no `require`: each ESM file that calls it gets
 * one in module scope, made by `createRequire`, so a hook runs the same when the package is
 * imported (plain Node, `node --test`, vitest) as when it is required. esbuild's warning that it
 * cannot turn those calls into imports is then moot: it is silenced, for this build only.
 */
const requireInEsm: Plugin = {
  name: 'require-in-esm',
  esbuildOptions(options) {
    options.logOverride = { ...options.logOverride, 'unsupported-require-call': 'silent' };
  },
  renderChunk(code) {
    if (this.format !== 'esm' || !/\brequire\(/.test(code)) return;
    return { code: `import { createRequire as __edgeCreateRequire } from 'node:module';\nconst require = __edgeCreateRequire(import.meta.url);\n${code}` };
  },
};

// esbuild renames `require` to `__require` when it bundles to ESM: the ESM build is therefore
// file by file (no bundling), the CommonJS build bundled (CJS keeps `require`).
export default defineConfig([
  {
    entry: ['src/**/*.ts', '!src/**/*.test.ts', '!src/**/*.test-d.ts', '!src/testing/**'],
    format: ['esm'],
    bundle: false,
    dts: { entry: 'src/index.ts' },
    clean: true,
    target: 'node20',
    plugins: [requireInEsm],
  },
  {
    entry: ['src/index.ts'],
    format: ['cjs'],
    dts: true,
    target: 'node20',
  },
]);
