// What artifacts import: adapters only, so a bundle carries nothing else.
export { respond, redirect } from './answer.js';
export { cffRequestContext, cffForward, cffResponseContext, cffResponse, cffAnswerContext, cffOriginParams, CffResponseHeaders } from './cff.js';
export type { CffEvent, CffRequest, CffResponse, AdapterOptions, CloudFrontModule } from './cff.js';
export { leRequestContext, leForward, leResponseContext, leResponse, leAnswerContext, LeHeaderMap, parsePairs } from './lambda.js';
export type { LeEvent, LeRequest, LeResponse, LeHeaders } from './lambda.js';
export { ValueMap, HEADERS, QUERY, COOKIES } from './value-map.js';
export type { CfValue, CfValues, ChangeGuard } from './value-map.js';
export { safeDecode, reason } from './util.js';
