export { viewerRequest, viewerResponse, lambdaEvent, eventFor, type EventInit } from './events.js';
export { runPipeline, headerGuard, eventTypeOf, cloudfrontStub, type RunOptions } from '../run.js';
export { toOutcome, normalRequest, normalResponse, type Outcome, type NormalRequest, type NormalResponse } from '../outcome.js';
