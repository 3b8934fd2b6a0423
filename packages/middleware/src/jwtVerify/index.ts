export { cognito, type CognitoOptions, type CognitoVerifyOptions } from './cognito.js';
export { type PublicJwk, type JwtJwksOptions } from './jwks.js';
export { type JwtJwksUrlOptions } from './jwksUrl.js';
export { jwtVerify, type JwtCapability, type JwtVerifyOptions } from './jwtVerify.js';
export { type JwtKvsSecretOptions } from './kvsSecret.js';
export { type AsymmetricAlgorithm, type HmacAlgorithm, type JwtAlgorithm, type JwtClaimOptions, type JwtTokenSource } from './options.js';
export { type JwtSecretOptions } from './secret.js';
