import { edge } from '@edgeline/core';
import { cognito, jwtVerify } from '@edgeline/middleware';

// Only requests with a valid access token of this user pool and app client reach the origin.
export default edge().use(
  jwtVerify({
    algorithms: ['RS256'],
    ...cognito({ region: 'eu-west-1', userPoolId: 'eu-west-1_EXAMPLE1', tokenUse: 'access', clientId: '1example23456789' }),
  }),
);
