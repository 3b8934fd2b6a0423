// What artifacts import: adapters only, so a bundle carries nothing else.
export { respond, redirect } from './answer.js';
export { cffRequestContext, cffForward, cffResponseContext, cffResponse, cffAnswer, cffAnswerContext, cffOriginParams, cffResponseHeaders, rawQueryOf } from './cff.js';
export type { CffEvent, CffRequest, CffResponse, AdapterOptions, CloudFrontModule } from './cff.js';
export { leRequestContext, leForward, leResponseContext, leResponse, leEventResponse, leAnswer, leAnswerContext, LeHeaderMap, parsePairs } from './lambda.js';
export type { LeEvent, LeRequest, LeResponse, LeHeaders } from './lambda.js';
export { valueMap, HEADERS, QUERY, COOKIES } from './value-map.js';
export type { CfValue, CfValues, ChangeGuard, ValueMap } from './value-map.js';
export { safeDecode } from './util.js';
