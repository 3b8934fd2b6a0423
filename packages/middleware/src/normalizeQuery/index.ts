export { normalizeQuery, type NormalizeQueryOptions } from './normalizeQuery.js';
