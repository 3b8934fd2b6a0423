import { edge } from '@edgeline/core';
import { cacheKeyFromBasicAuth } from '@edgeline/middleware';

// Puts md5(user:password) of a Basic Authorization header in `username-cache-key`, for a cache policy
// that keys on that header: each user gets their own cached copy, without the password in the key,
// and a wrong password never shares the right one's cached objects.
export default edge().use(cacheKeyFromBasicAuth({ header: 'username-cache-key', hash: 'md5' }));
