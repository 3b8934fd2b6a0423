export {
  cognito, jwtVerify,
  type AsymmetricAlgorithm, type CognitoOptions, type CognitoVerifyOptions, type HmacAlgorithm, type JwtAlgorithm,
  type JwtCapability, type JwtClaimOptions, type JwtJwksOptions, type JwtJwksUrlOptions, type JwtKvsSecretOptions,
  type JwtSecretOptions, type JwtTokenSource, type JwtVerifyOptions, type PublicJwk,
} from './jwtVerify.js';
