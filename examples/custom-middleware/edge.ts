import { defineMiddleware, edge } from '@edgeline/core';

/** Adds a header to every response, including answers given early by later middleware. */
const servedBy = defineMiddleware({
  name: 'servedBy',
  needs: [],
  config: { header: 'x-served-by', value: 'edgeline' },
  response(ctx, config) {
    ctx.response.headers.set(config.header, config.value);
  },
});

/** Blocks a path, and tags every other request with a stable A/B bucket from an md5 of the user id. */
const abBucket = defineMiddleware({
  name: 'abBucket',
  needs: ['crypto:hash'],
  config: { cookie: 'uid', buckets: 2, blocked: '/internal/' },
  request(ctx, config) {
    if (ctx.request.uri.indexOf(config.blocked) === 0) {
      return ctx.respond({ status: 403, headers: { 'content-type': 'text/plain' }, body: 'forbidden' });
    }
    const id = ctx.request.cookies.get(config.cookie) || ctx.viewer.ip;
    const digest = require('crypto').createHash('md5').update(id).digest('hex');
    ctx.request.headers.set('x-ab-bucket', String(parseInt(digest.slice(0, 8), 16) % config.buckets));
  },
});

export default edge().use(servedBy).use(abBucket);
