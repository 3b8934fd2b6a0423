import { edge } from '@edgeline/core';
import { normalizeQuery } from '@edgeline/middleware';

// One cache entry for /search?q=shoes&page=2, /search?page=2&q=shoes&utm_source=mail and
// /search?page=2&&q=shoes&fbclid=x: parameters sorted, tracking parameters dropped. Include the
// query string in the cache key (all of it) after this runs.
export default edge().use(normalizeQuery({ deny: ['utm_source', 'utm_medium', 'utm_campaign', 'fbclid', 'gclid'] }));
