import { edge } from '@edgeline/core';
import { cacheControl } from '@edgeline/middleware';

// A day of caching for successful responses the origin sent no Cache-Control with; errors are
// not cached by browsers for long.
export default edge()
  .use(cacheControl({ value: 'public, max-age=86400' }))
  .use(cacheControl({ value: 'no-cache', statuses: '400-599' }));
