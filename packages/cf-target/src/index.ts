export { buildCf, type CfBuildOptions } from './build.js';
export { checkArtifact, type ArtifactProblem } from './check-artifact.js';
export { runInEmulator, type EmulatorOptions, type EmulatorRun } from './emulator.js';
export { runInNjs, hasNjs, type NjsOptions } from './njs.js';
export { validateCfResult } from './validate.js';
export { MODULES, LACKING_GLOBALS, MAX_BYTES, NJS_STRING_METHODS, njsPrelude } from './rules.js';
