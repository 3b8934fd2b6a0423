export { viewerRequest, viewerResponse, lambdaEvent, eventFor, withRawQuery } from './events.js';
export { rawQueryOf } from '../runtime/cff.js';
export type {
  EventInit, EventContext, CffRequestEvent, CffResponseEvent, CffEventOf, LambdaRequest, LambdaCustomOrigin,
  LambdaRequestEvent, LambdaResponseEvent, LambdaEventOf,
} from './events.js';
export { runPipeline, headerGuard, eventTypeOf, cloudfrontStub, type RunOptions } from '../run.js';
export { toOutcome, normalRequest, normalResponse, type Outcome, type NormalRequest, type NormalResponse } from '../outcome.js';
export { runBuilt, ArtifactRunError, type RunBuiltOptions, type CfEngine } from './built.js';
export { expectSameEverywhere, type SameEverywhereOptions } from './same.js';
