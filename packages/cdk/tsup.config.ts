import { defineConfig } from 'tsup';

// child is the build child the construct runs synchronously (`node dist/child.js`), as the cli has its bin.
export default defineConfig({
  entry: { index: 'src/index.ts', child: 'src/child.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  clean: true,
  shims: true,
  target: 'node20',
});
