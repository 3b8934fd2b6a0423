import { edge } from '@edgeline/core';
import { geoRedirect } from '@edgeline/middleware';

// As AWS's redirect-based-on-country sample: viewers in Germany or Austria go to the German
// site (an absolute https Location), everyone else is served from this one, unchanged.
export default edge().use(geoRedirect({ countries: ['de', 'at'], fallback: 'en', others: 'pass', host: 'www.example.de', status: 302 }));
