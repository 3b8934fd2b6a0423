export { EVENT_TYPES, FEATURES, CAPABILITIES, isCapability, isEventType, isRequestEvent } from './capability.js';
export type { Capability, EventType, Feature, RequestEventType, ResponseEventType } from './capability.js';
export type {
  Answer, AnswerInit, CookieMap, CustomOrigin, EdgeRequest, EdgeResponse, HeaderMap, Origin, ParamMap,
  RedirectStatus, RequestBody, RequestContext, RequestHookResult, ResponseContext, S3Origin, Viewer,
} from './context.js';
export { CODES, ConfigError, DefinitionError, EdgelineError, HeaderGuardError, NotImplementedError, NotPortableError } from './errors.js';
export type { ErrorCode } from './errors.js';
export { defineMiddleware, isMiddleware } from './middleware.js';
export type { Config, DirectHooks, Middleware, MiddlewareDefinition, RequestHook, ResponseHook } from './middleware.js';
export { Pipeline, edge, isPipeline } from './pipeline.js';
export { AUTO_CF_RUNTIME, DEFAULT_CF_RUNTIME, PRICES, PROFILES, isCfTarget, pricePerMillion, profileFor } from './target.js';
export type { AutoTarget, CfRuntime, Limits, ProfileName, SupportedBy, TargetName, TargetProfile } from './target.js';
export { checkPipeline, eventTypesOf, planPipeline } from './check.js';
export type { Placement, Plan, Violation } from './check.js';
export { autoParts, planAuto } from './auto.js';
export type { AutoEvent, AutoOptions, AutoReason, AutoPart, AutoPlan } from './auto.js';
export { configLiteral, hookSource } from './portable.js';
export { emitHandler } from './lower/emit.js';
export { emitDirect } from './lower/emit-direct.js';
export { deriveCffHooks, deriveHooks } from './lower/derive.js';
export type { EmitDirectOptions } from './lower/emit-direct.js';
export type { EmitOptions, EmittedHandler, EmittedHook, Shape } from './lower/emit.js';
export { headerProblem, isDisallowedHeader, isReadOnlyHeader } from './runtime/guard.js';
export type { HeaderProblem } from './runtime/guard.js';
export { toOutcome, normalRequest, normalResponse } from './outcome.js';
export type { NormalRequest, NormalResponse, Outcome } from './outcome.js';
export { runPipeline, eventTypeOf } from './run.js';

/**
 * Asserts at compile time that a pipeline can be built for `target`.
 * @example buildableFor('cloudfront-js-1.0', pipeline) // a type error if it needs `body`
 */
export function buildableFor<T extends import('./target.js').TargetName>(
  target: T,
  pipeline: import('./pipeline.js').Pipeline<import('./target.js').SupportedBy<T>>,
): import('./pipeline.js').Pipeline<import('./target.js').SupportedBy<T>> {
  void target;
  return pipeline;
}
export { scanHook } from './lower/scan.js';
export { findGlobals } from './lower/globals.js';
export type { FreeGlobal, GlobalNode } from './lower/globals.js';
export type { Finding } from './lower/scan.js';
export { manifestOf } from './lower/artifact.js';
export type { Artifact, BuildResult, SizeShare } from './lower/artifact.js';
export { FEATURE_FLAGS, METHOD_FLAGS, allFeatures } from './runtime/features.js';
export type { FeatureFlag } from './runtime/features.js';
