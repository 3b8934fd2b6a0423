import { edge } from '@edgeline/core';
import { indexRewrite } from '@edgeline/middleware';

// A static site in an S3 bucket behind CloudFront: /docs/ and /docs are served /docs/index.html,
// files (/app.3f9a.js, /logo.svg) as they are. For a single-page app: indexRewrite({ spa: true }).
export default edge().use(indexRewrite());
