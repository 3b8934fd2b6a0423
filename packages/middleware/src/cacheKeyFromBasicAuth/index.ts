export { cacheKeyFromBasicAuth, type CacheKeyFromBasicAuthOptions } from './cacheKeyFromBasicAuth.js';
