import { edge } from '@edgeline/core';
import { trueClientIp } from '@edgeline/middleware';

// The viewer's IP for the origin (which otherwise sees CloudFront's), in True-Client-IP.
export default edge().use(trueClientIp());
