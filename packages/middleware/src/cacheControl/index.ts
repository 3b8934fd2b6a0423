export { cacheControl, type CacheControlOptions } from './cacheControl.js';
