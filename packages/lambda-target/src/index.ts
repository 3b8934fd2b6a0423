export { buildLambda, DEFAULT_NODE_RUNTIME, NODE_RUNTIMES, RETIRED_NODE_RUNTIMES, type LambdaBuildOptions } from './build.js';
export type { NodeRuntime } from './bundle.js';
export { defaultDeadlineMs, MARGIN_MS } from './deadline.js';
export { runLambdaArtifact, ArtifactError, type LambdaContext } from './run.js';
export { guard, guardSync, type GuardOptions, type GuardContext, type LambdaHandler } from './runtime/guard.js';
export { zipArtifact } from './zip.js';
