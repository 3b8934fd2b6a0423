import { defineConfig } from 'tsup';

// Hooks reach artifacts as their source text, so the published code must keep each hook's
// `require('...')` as written. esbuild renames it `__require` when it bundles to ESM: the ESM
// build is therefore file by file (no bundling), the CommonJS build bundled (CJS keeps `require`).
export default defineConfig([
  {
    entry: ['src/**/*.ts', '!src/**/*.test.ts', '!src/**/*.test-d.ts', '!src/testing/**'],
    format: ['esm'],
    bundle: false,
    dts: { entry: 'src/index.ts' },
    clean: true,
    target: 'node20',
  },
  {
    entry: ['src/index.ts'],
    format: ['cjs'],
    dts: true,
    target: 'node20',
  },
]);
