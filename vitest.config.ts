import { configDefaults, defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const src = (p: string) => fileURLToPath(new URL(`./packages/${p}`, import.meta.url));

// Unit tests run on sources (aliases below); only test/ runs built artifacts.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@edgeline\/core\/testing$/, replacement: src('core/src/testing/index.ts') },
      { find: /^@edgeline\/core\/runtime$/, replacement: src('core/src/runtime/index.ts') },
      { find: /^@edgeline\/core$/, replacement: src('core/src/index.ts') },
      { find: /^@edgeline\/cf-target$/, replacement: src('cf-target/src/index.ts') },
      { find: /^@edgeline\/lambda-target$/, replacement: src('lambda-target/src/index.ts') },
      { find: /^@edgeline\/middleware$/, replacement: src('middleware/src/index.ts') },
    ],
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    // Fixture projects (edge init writes an edge.test.ts) are made under test/.tmp: not ours to run.
    exclude: [...configDefaults.exclude, 'test/.tmp/**'],
    // Most of the suite waits on child processes (njs, the edge CLI, npm): two workers on two cores.
    maxWorkers: 2,
    typecheck: { enabled: true, include: ['packages/*/src/**/*.test-d.ts', 'test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    testTimeout: 30000,
    hookTimeout: 60000,
  },
});
