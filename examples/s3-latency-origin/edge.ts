import { edge } from '@edgeline/core';
import { originSelect } from '@edgeline/middleware';

// A Route 53 latency record `nearest.assets.example.com` answers, from each region, a TXT
// record `bucket;region` naming the nearest copy of the assets bucket.
export default edge().use(
  originSelect({
    dnsTxt: 'nearest.assets.example.com',
    default: { s3: { bucket: 'assets-us-east-1', region: 'us-east-1' } },
  }),
);
