import { edge } from '@edgeline/core';
import { securityHeaders } from '@edgeline/middleware';

// The usual security headers on every response, plus CORS for a public API.
export default edge().use(
  securityHeaders({
    contentSecurityPolicy: "default-src 'self'; img-src 'self' data:; object-src 'none'",
    cors: '*',
  }),
);
