import { edge } from '@edgeline/core';
import { abTest } from '@edgeline/middleware';

// A tenth of the viewers see the new home page: the bucket holds the site twice, under /a/ and
// /b/. A viewer keeps its variant in the cookie ab-home; the origin sees it in x-ab-home.
export default edge().use(abTest({ name: 'home', variants: { a: 90, b: 10 } }));
