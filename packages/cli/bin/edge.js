#!/usr/bin/env node
// The `edge` binary. A file kept in the repository, not in dist/: npm links a workspace's bin only
// if the file exists at install time, and dist/ is built after `npm ci`.
import module from 'node:module';
import v8 from 'node:v8';

// A build is a short process: V8's optimizing compiler spends more CPU on its background threads
// than it saves (a quarter of a cold build's CPU). EDGE_OPTIMIZE=1 keeps it for long --watch runs.
if (!process.env.EDGE_OPTIMIZE) v8.setFlagsFromString('--no-opt');
// Node 22+ caches compiled modules (TypeScript's compiler is most of a cold build); older Nodes
// get the same for TypeScript alone from @edgeline/cf-target.
module.enableCompileCache?.();
const BUILT = new URL('../dist/bin.js', import.meta.url);
import(BUILT.href).catch((error) => {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes(BUILT.pathname)) {
    process.stderr.write('edge: @edgeline/cli is not built (no dist/bin.js): run `npm run build` first\n');
    process.exitCode = 1;
    return;
  }
  throw error;
});
