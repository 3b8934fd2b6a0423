import { edge } from '@edgeline/core';
import { jwtVerify } from '@edgeline/middleware';

// A members area behind a login page: the session token (HS256) is in the `session` cookie the
// login page sets; a browser without a valid one is sent to /login?redirect_uri=<where it was>.
// On cloudfront-js-2.0, `secret: { kvs: 'jwt-secret' }` keeps the secret out of the code.
export default edge().use(
  jwtVerify({
    algorithms: ['HS256'],
    secret: 'an-example-secret-of-at-least-32-bytes!',
    issuer: 'https://login.example.com',
    token: { cookie: 'session' },
    unauthorized: { redirect: '/login' },
  }),
);
