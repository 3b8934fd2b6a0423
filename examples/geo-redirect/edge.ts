import { edge } from '@edgeline/core';
import { geoRedirect } from '@edgeline/middleware';

// Sends visitors to /de/..., /fr/... or /es/... by the country CloudFront detected, /en/... otherwise.
export default edge().use(geoRedirect({ countries: ['de', 'fr', 'es'], fallback: 'en' }));
