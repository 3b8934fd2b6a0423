import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', testing: 'src/testing/index.ts', runtime: 'src/runtime/index.ts' },
  format: ['esm', 'cjs'],
  // Shared chunks for CommonJS too: else testing.cjs carries its own Pipeline and error classes,
  // and a pipeline made with require('@edgeline/core') is not one to require('@edgeline/core/testing').
  splitting: true,
  dts: true,
  clean: true,
  target: 'node20',
});
