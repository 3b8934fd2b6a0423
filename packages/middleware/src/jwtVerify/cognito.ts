import { ConfigError } from '@edgeline/core';
import { knownOptions, oneOf, REGION, stringListOption, stringOption } from '../lib/options.js';

export interface CognitoOptions {
  region: string;
  userPoolId: string;
  tokenUse: 'id' | 'access';
  /** App client id(s): checked against `client_id` (access tokens) or `aud` (id tokens). */
  clientId?: string | readonly string[];
}
/** What `cognito()` fills in: spread it into `jwtVerify`'s options. */
export interface CognitoVerifyOptions {
  issuer: string;
  jwksUrl: string;
  tokenUse: 'id' | 'access';
  audience?: string | readonly string[];
}

/**
 * The issuer, key set URL, token use and app client of an Amazon Cognito user pool.
 * @example jwtVerify({ algorithms: ['RS256'], ...cognito({ region: 'eu-west-1', userPoolId: 'eu-west-1_AbC123', tokenUse: 'access', clientId: '1example23456789' }) })
 * @see https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html
 */
export function cognito(options: CognitoOptions): CognitoVerifyOptions {
  const o = knownOptions(options, ['region', 'userPoolId', 'tokenUse', 'clientId'], 'cognito');
  const region = stringOption('region', o.region);
  if (!REGION.test(region)) throw new ConfigError('region', `'${region}' is not an AWS region name`);
  const pool = stringOption('userPoolId', o.userPoolId);
  if (pool.indexOf(region + '_') !== 0 || !/^[\w-]+_[0-9a-zA-Z]+$/.test(pool)) {
    throw new ConfigError('userPoolId', `'${pool}' is not a user pool id of ${region} (such as ${region}_AbCdEf123)`);
  }
  const issuer = `https://cognito-idp.${region}.amazonaws.com/${pool}`;
  const out: CognitoVerifyOptions = { issuer, jwksUrl: `${issuer}/.well-known/jwks.json`, tokenUse: oneOf('tokenUse', o.tokenUse, ['id', 'access'] as const) };
  if (o.clientId !== undefined) out.audience = stringListOption('clientId', o.clientId);
  return out;
}
