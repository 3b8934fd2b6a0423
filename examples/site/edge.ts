import { edge } from '@edgeline/core';
import { cacheKeyFromBasicAuth, geoRedirect, securityHeaders } from '@edgeline/middleware';

// A site: security headers on every response (redirects included), a per-user cache key for the
// members area, and country redirects.
export default edge()
  .use(securityHeaders({ contentSecurityPolicy: "default-src 'self'" }))
  .use(cacheKeyFromBasicAuth())
  .use(geoRedirect({ countries: ['de', 'fr'], fallback: 'en', status: 302 }));
