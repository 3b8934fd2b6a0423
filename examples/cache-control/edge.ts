import { edge } from '@edgeline/core';
import { cacheControl } from '@edgeline/middleware';

// A day of caching for successful responses (200-399) the origin sent no Cache-Control with.
// More statuses: cacheControl({ value: 'no-cache', statuses: '400-599' }) as a second one.
export default edge().use(cacheControl({ value: 'public, max-age=86400' }));
