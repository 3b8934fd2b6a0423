export { EdgelineBehavior } from './behavior.js';
export type { AutoBehaviorProps, CfBehaviorProps, EdgelineBehaviorProps, EdgelineSource, LambdaBehaviorProps } from './behavior.js';
export { EdgelineBuildError } from './errors.js';
export type { BuiltArtifact } from './lib/protocol.js';
