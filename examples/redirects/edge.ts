import { edge } from '@edgeline/core';
import { redirects } from '@edgeline/middleware';

// A site move: old pages renamed, the blog moved to /articles, the shop on its own host.
export default edge().use(
  redirects({
    rules: [
      { from: '/about-us', to: '/about' },
      { from: '/about-us/team', to: '/about/people' },
      { from: '/contact-us', to: '/contact' },
      { from: '/careers.html', to: '/jobs' },
      { from: '/jobs/apply.php', to: '/jobs' },
      { from: '/pricing.html', to: '/pricing' },
      { from: '/plans', to: '/pricing' },
      { from: '/features.html', to: '/product' },
      { from: '/product/tour', to: '/product' },
      { from: '/support', to: 'https://help.example.com/' },
      { from: '/faq', to: 'https://help.example.com/faq' },
      { from: '/docs/v1', to: '/docs' },
      { from: '/docs/getting-started.html', to: '/docs/start' },
      { from: '/press', to: '/newsroom' },
      { from: '/legal/privacy.html', to: '/privacy' },
      { from: '/legal/terms.html', to: '/terms' },
      { from: '/summer-sale', to: '/pricing?promo=summer', status: 302 },
      { from: '/index.php', to: '/' },
      { from: '/home', to: '/' },
      { from: '/blog/feed', to: '/articles/feed.xml', query: 'drop' },
      { from: '/blog/*', to: '/articles/*' },
      { from: '/shop/*', to: 'https://shop.example.com/*', status: 302 },
    ],
  }),
);
