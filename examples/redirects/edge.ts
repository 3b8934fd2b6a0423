import { edge } from '@edgeline/core';
import { redirects } from '@edgeline/middleware';

// A site move: old pages, the blog renamed to /articles, the shop on its own host.
export default edge().use(
  redirects({
    rules: [
      { from: '/about-us', to: '/about' },
      { from: '/blog/*', to: '/articles/*' },
      { from: '/blog/feed', to: '/articles/feed.xml', query: 'drop' },
      { from: '/shop/*', to: 'https://shop.example.com/*', status: 302 },
    ],
  }),
);
