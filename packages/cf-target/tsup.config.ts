import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  target: 'node20',
  // The CommonJS build needs import.meta.url: steps.ts resolves the runtime adapters from its own folder.
  shims: true,
});
