export * from './geoRedirect/index.js';
export * from './cacheKeyFromBasicAuth/index.js';
export * from './securityHeaders/index.js';
export * from './jwtVerify/index.js';
export * from './originSelect/index.js';
export * from './indexRewrite/index.js';
export * from './trueClientIp/index.js';
export * from './redirects/index.js';
