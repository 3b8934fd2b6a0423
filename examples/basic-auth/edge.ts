import { edge } from '@edgeline/core';
import { basicAuth } from '@edgeline/middleware';

// A password for a staging site or a preview. The build keeps only the sha256 digest of
// `name:password` (of its base64 form on Lambda@Edge): neither the name nor the password is in the
// CloudFront Function or the Lambda@Edge bundle. In a real project read the password from the environment at build time
// (`process.env.PREVIEW_PASSWORD`) rather than committing it.
export default edge().use(basicAuth({ users: { preview: 'correct horse battery staple' }, realm: 'Staging' }));
