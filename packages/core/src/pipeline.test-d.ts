import { expectTypeOf, test } from 'vitest';
import { buildableFor, defineMiddleware, edge, type Middleware, type Pipeline } from './index.js';

const hash = defineMiddleware({ name: 'hash', needs: ['crypto:hash'], request() {} });
const body = defineMiddleware({ name: 'body', needs: ['body', 'async'], request() {} });

test('a pipeline carries the union of its capabilities', () => {
  expectTypeOf(hash).toEqualTypeOf<Middleware<'crypto:hash'>>();
  expectTypeOf(edge()).toEqualTypeOf<Pipeline<never>>();
  expectTypeOf(edge().use(hash).use(body)).toEqualTypeOf<Pipeline<'crypto:hash' | 'body' | 'async'>>();
});

test('a CloudFront build of a pipeline that needs a Lambda-only capability is a type error', () => {
  buildableFor('cloudfront-js-1.0', edge().use(hash));
  buildableFor('lambda', edge().use(hash).use(body));
  // @ts-expect-error body is Lambda@Edge only
  buildableFor('cloudfront-js-1.0', edge().use(body));
  // @ts-expect-error async needs cloudfront-js-2.0
  buildableFor('cloudfront-js-1.0', edge().use(defineMiddleware({ name: 'a', needs: ['async'] })));
  buildableFor('cloudfront-js-2.0', edge().use(defineMiddleware({ name: 'a', needs: ['async'] })));
});

test('needs are a closed union', () => {
  // @ts-expect-error not a capability
  defineMiddleware({ name: 'x', needs: ['telepathy'] });
});

test('hooks see a typed context and their config', () => {
  defineMiddleware({
    name: 'typed',
    needs: [],
    config: { n: 1 },
    request(ctx, config) {
      expectTypeOf(config.n).toEqualTypeOf<1>();
      expectTypeOf(ctx.request.headers.get('a')).toEqualTypeOf<string | undefined>();
      expectTypeOf(ctx.eventType).toEqualTypeOf<'viewer-request' | 'origin-request'>();
    },
    response(ctx) {
      expectTypeOf(ctx.response.status).toEqualTypeOf<number>();
    },
  });
});
