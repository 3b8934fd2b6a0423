export { main } from './main.js';
export { build, type BuildOptions, type BuildOutcome, type Target, type NodeRuntime } from './build.js';
export { buildAuto, type AutoArtifact, type AutoBuildOptions, type AutoBuildOutcome, type AutoBuildResult } from './build-auto.js';
export { loadEntry } from './load-entry.js';
export { cloudFormationTemplate, deployFields, kvsKeysOf, suggestedName, type CloudFormationTemplate, type DeployFields } from './cloudformation.js';
export { violationList } from './print.js';
export { initProject } from './init.js';
export { EXIT, EntryError, UsageError, type ExitCode } from './errors.js';
