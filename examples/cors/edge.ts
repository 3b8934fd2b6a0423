import { edge } from '@edgeline/core';
import { cors } from '@edgeline/middleware';

// An API at api.example.com read by the web app, its preview deployments and local development,
// with cookies (credentials) and a JSON body.
export default edge().use(
  cors({
    origins: /^(https:\/\/(app|[a-z0-9-]+\.preview)\.example\.com|http:\/\/localhost:3000)$/,
    headers: ['content-type', 'x-request-id'],
    exposeHeaders: ['x-request-id'],
    credentials: true,
    maxAge: 600,
  }),
);
