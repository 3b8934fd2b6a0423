// The benchmark cases: one entry per pipeline. `npm run bench` builds each for CloudFront
// Functions (cloudfront-js-1.0) and Lambda@Edge and measures every artifact next to the
// hand-written reference for the same event type, found by name:
//   bench/reference/<name>.<event-type>.js          (CloudFront Function, runtime 1.0)
//   bench/reference/lambda/<name>.<event-type>.js   (Lambda@Edge, Node.js CommonJS)
// An artifact without a reference file is reported with ours only.
//
// Fields:
//   name       case name (also the reference file prefix)
//   example    a folder of examples/: the pipeline is its edge.ts, loaded as `edge build` loads
//              it, and it is built for every target and runtime its example.json lists. Every
//              example that builds for cf has a case (the bench notes one that has none).
//   uses       exports of @edgeline/middleware the pipeline needs; the case is skipped, with a
//              printed note, while one of them is missing
//   pipeline   (middleware exports) => edge() pipeline, for a case that is not an example; it is
//              built for cloudfront-js-1.0 and Lambda@Edge
//   requests   EventInit[] (see @edgeline/core/testing) for request-phase artifacts
//   responses  EventInit[] for response-phase artifacts
// Each mix is cycled in order; keep it small (about 4-10 events) and realistic.
// A cloudfront-js-2.0 artifact is measured against bench/reference/cf-js-2.0/<name>.<event-type>.js,
// or against the runtime 1.0 reference when that one passes the 2.0 checks as it is.
import { defineMiddleware, edge } from '@edgeline/core';

/** Headers a browser sends on every request, so events are about as big as real ones. */
const browser = {
  'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'Accept-Encoding': 'gzip, deflate, br',
  'Accept-Language': 'de-DE,de;q=0.9,en;q=0.8',
};
const req = (init) => ({ ...init, headers: { ...browser, ...init.headers } });
const originHeaders = { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'max-age=300', ETag: '"5f3a-1"', Server: 'AmazonS3' };
const res = (init) => ({ ...req({}), ...init, responseHeaders: { ...originHeaders, ...init.responseHeaders } });
const basic = (s) => 'Basic ' + Buffer.from(s).toString('base64');
/** The session cookie of examples/jwt-cookie-login: HS256, valid until 2100 (its events/cf/signed-in.json). */
const JWT_COOKIE = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJtZW1iZXItNDIiLCJpc3MiOiJodHRwczovL2xvZ2luLmV4YW1wbGUuY29tIiwiaWF0IjoxNzY3MjI1NjAwLCJleHAiOjQxMDI0NDQ4MDB9.wr1gbYjENaZwmvX77uSMAenhTpRx6J8k92CgZYkFCSg';

// The two custom middleware of packages/cf-target/src/build.test.ts.
const stamp = defineMiddleware({
  name: 'stamp',
  needs: [],
  config: { header: 'x-served-by', value: 'edgeline' },
  response(ctx, config) {
    ctx.response.headers.set(config.header, config.value);
    if (ctx.response.status >= 400) ctx.response.headers.set('cache-control', 'no-store');
    ctx.response.headers.append('set-cookie', 'seen=1; Path=/');
  },
});
const bucket = defineMiddleware({
  name: 'bucket',
  needs: ['crypto:hash'],
  config: { cookie: 'uid', buckets: 4, blocked: '/admin' },
  request(ctx, config) {
    const uri = ctx.request.uri;
    if (uri.indexOf(config.blocked) === 0) return ctx.respond({ status: 403, headers: { 'content-type': 'text/plain' }, body: 'forbidden' });
    if (uri === '/old') return ctx.redirect('/new?' + ctx.request.querystring.toString(), 301);
    const id = ctx.request.cookies.get(config.cookie) || ctx.viewer.ip;
    const digest = require('crypto').createHash('md5').update(id).digest('hex');
    ctx.request.headers.set('x-bucket', String(parseInt(digest.slice(0, 8), 16) % config.buckets));
    ctx.request.headers.set('x-id-md5', digest);
    if (ctx.request.querystring.has('lang')) ctx.request.uri = '/' + ctx.request.querystring.get('lang') + uri;
  },
});

export const cases = [
  {
    name: 'custom',
    uses: [],
    pipeline: () => edge().use(stamp).use(bucket),
    requests: [
      req({ uri: '/' }),
      req({ uri: '/products/42', cookies: { uid: 'user-1842', theme: 'dark' } }),
      req({ uri: '/assets/app.3f9a.js', headers: { Accept: '*/*' } }),
      req({ uri: '/search', querystring: 'q=running+shoes&page=2', cookies: { uid: 'user-77' } }),
      req({ uri: '/q', querystring: 'lang=de' }),
      req({ uri: '/admin/users' }),
      req({ uri: '/old', querystring: 'a=1&a=2&b' }),
      req({ uri: '/products/7', ip: '2001:db8::1' }),
    ],
    responses: [
      res({ status: 200 }),
      res({ status: 200, responseHeaders: { 'Content-Type': 'application/javascript' } }),
      res({ status: 304 }),
      res({ status: 404 }),
      res({ status: 200, responseHeaders: { 'Set-Cookie': ['session=abc; Secure; HttpOnly', 'seen=0'] } }),
    ],
  },
  {
    name: 'custom-middleware',
    example: 'custom-middleware',
    requests: [
      req({ uri: '/' }),
      req({ uri: '/products/42', cookies: { uid: 'user-1842', theme: 'dark' } }),
      req({ uri: '/assets/app.3f9a.js', headers: { Accept: '*/*' } }),
      req({ uri: '/search', querystring: 'q=running+shoes&page=2', cookies: { uid: 'user-77' } }),
      req({ uri: '/internal/metrics' }),
      req({ uri: '/products/7', ip: '2001:db8::1' }),
    ],
    responses: [
      res({ status: 200 }),
      res({ status: 304 }),
      res({ status: 404, responseHeaders: { 'X-Served-By': 'origin' } }),
    ],
  },
  {
    name: 'geoRedirect',
    example: 'geo-redirect',
    requests: [
      req({ uri: '/pricing', country: 'DE' }),
      req({ uri: '/de/pricing', country: 'DE' }),
      req({ uri: '/', country: 'US' }),
      req({ uri: '/en/docs/start', country: 'GB' }),
      req({ uri: '/blog/launch', country: 'FR', querystring: 'utm_source=news&utm_medium=email' }),
      req({ uri: '/fr/blog/launch', country: 'FR' }),
      req({ uri: '/p', country: 'ES', querystring: 'a=1&a=2&b=x' }),
      req({ uri: '/es/', country: 'ES' }),
    ],
  },
  {
    name: 'cacheKeyFromBasicAuth',
    example: 'basic-auth-cache-key',
    requests: [
      req({ uri: '/reports/q3', headers: { Authorization: basic('alice:correct horse') } }),
      req({ uri: '/reports/q4', headers: { Authorization: basic('bob@example.com:pw') } }),
      req({ uri: '/', headers: { Authorization: 'basic ' + Buffer.from('carol:x').toString('base64') } }),
      req({ uri: '/public/logo.png' }),
      req({ uri: '/api', headers: { Authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2ln' } }),
      req({ uri: '/reports', headers: { 'username-cache-key': 'forged', Authorization: basic('dave:pw') } }),
      req({ uri: '/reports', headers: { Authorization: basic('ünïcødé:pw') } }),
      req({ uri: '/reports', headers: { Authorization: basic('nocolon') } }),
    ],
  },
  {
    name: 'basicAuth',
    example: 'basic-auth',
    // A staging site: the browser sends the credentials with every request once signed in.
    requests: [
      req({ uri: '/preview/', headers: { Authorization: basic('preview:correct horse battery staple') } }),
      req({ uri: '/preview/app.3f9a.js', headers: { Accept: '*/*', Authorization: basic('preview:correct horse battery staple') } }),
      req({ uri: '/preview/img/hero.webp', headers: { Accept: 'image/webp,*/*', Authorization: basic('preview:correct horse battery staple') } }),
      req({ uri: '/preview/docs/start', headers: { Authorization: basic('preview:correct horse battery staple') } }),
      req({ uri: '/preview/' }),
      req({ uri: '/preview/', headers: { Authorization: basic('preview:Tr0ub4dor&3') } }),
      req({ uri: '/preview/', headers: { Authorization: basic('admin:admin') } }),
      req({ uri: '/api', headers: { Authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2ln' } }),
    ],
  },
  {
    name: 'securityHeaders',
    uses: ['securityHeaders'],
    pipeline: (mw) => edge().use(mw.securityHeaders()),
    responses: [
      res({ status: 200 }),
      res({ status: 200, responseHeaders: { 'Content-Type': 'text/css' } }),
      res({ status: 304 }),
      res({ status: 404 }),
      res({ status: 200, responseHeaders: { 'X-Frame-Options': 'SAMEORIGIN', 'Set-Cookie': ['a=1; Secure', 'b=2'] } }),
    ],
  },
  {
    name: 'security-headers',
    example: 'security-headers',
    responses: [
      res({ status: 200 }),
      res({ status: 200, responseHeaders: { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': 'https://app.example' } }),
      res({ status: 304 }),
      res({ status: 404 }),
      res({ status: 200, responseHeaders: { 'X-Frame-Options': 'SAMEORIGIN', 'Set-Cookie': ['a=1; Secure', 'b=2'] } }),
    ],
  },
  {
    name: 'site',
    example: 'site',
    // Most requests are already under a section (/de/, /fr/, /en/); members send Basic auth.
    requests: [
      req({ uri: '/de/pricing', country: 'DE' }),
      req({ uri: '/en/members/reports/q3', country: 'US', headers: { Authorization: basic('alice:correct horse') } }),
      req({ uri: '/fr/', country: 'FR', cookies: { theme: 'dark' } }),
      req({ uri: '/en/assets/app.3f9a.js', country: 'GB', headers: { Accept: '*/*' } }),
      req({ uri: '/de/members', country: 'DE', headers: { 'username-cache-key': 'forged', Authorization: basic('bob@example.com:pw') } }),
      req({ uri: '/', country: 'US' }),
      req({ uri: '/blog/launch', country: 'FR', querystring: 'utm_source=news&utm_medium=email' }),
      req({ uri: '/en/members', country: 'DE', headers: { Authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2ln' } }),
    ],
    responses: [
      res({ status: 200 }),
      res({ status: 200, responseHeaders: { 'Content-Type': 'text/css' } }),
      res({ status: 304 }),
      res({ status: 404 }),
    ],
  },
  {
    name: 'redirects',
    example: 'redirects',
    // Most requests are not in the table; the rest are old links, some with tracking parameters.
    requests: [
      req({ uri: '/articles/2024/launch' }),
      req({ uri: '/about-us' }),
      req({ uri: '/blog/2024/launch', querystring: 'utm_source=news&utm_medium=email' }),
      req({ uri: '/' }),
      req({ uri: '/legal/privacy.html' }),
      req({ uri: '/shop/cart', querystring: 'item=42' }),
      req({ uri: '/assets/app.3f9a.js', headers: { Accept: '*/*' } }),
      req({ uri: '/summer-sale', querystring: 'utm_campaign=s24' }),
      req({ uri: '/docs/start' }),
      req({ uri: '/blog/feed', querystring: 'v=2' }),
    ],
  },
  {
    name: 'indexRewrite',
    example: 'index-rewrite',
    // A static site: most requests are pages without a file name, then assets.
    requests: [
      req({ uri: '/' }),
      req({ uri: '/docs/' }),
      req({ uri: '/docs/getting-started' }),
      req({ uri: '/blog/2024/launch', querystring: 'utm_source=news' }),
      req({ uri: '/assets/app.3f9a.js', headers: { Accept: '*/*' } }),
      req({ uri: '/assets/logo.svg', headers: { Accept: 'image/*' } }),
      req({ uri: '/v1.2/guide' }),
      req({ uri: '/favicon.ico', headers: { Accept: 'image/*' } }),
    ],
  },
  {
    name: 'trueClientIp',
    example: 'true-client-ip',
    requests: [
      req({ uri: '/api/orders', ip: '203.0.113.178' }),
      req({ uri: '/', ip: '2001:db8::1' }),
      req({ uri: '/login', ip: '198.51.100.7', headers: { 'True-Client-IP': '127.0.0.1' } }),
      req({ uri: '/products/42', ip: '192.0.2.44', querystring: 'ref=home' }),
    ],
  },
  {
    name: 'cacheControl',
    example: 'cache-control',
    // Mostly an origin that sends no Cache-Control (S3 without object metadata), one that does.
    responses: [
      ...[200, 304, 404, 200, 500].map((status) => ({ ...req({}), status, responseHeaders: { 'Content-Type': 'text/html; charset=utf-8', ETag: '"5f3a-1"', Server: 'AmazonS3' } })),
      res({ status: 200 }),
    ],
  },
  {
    name: 'abTest',
    example: 'ab-test',
    // Returning viewers (a new viewer's variant is random: its outcome cannot be compared), and
    // responses of new and returning viewers.
    requests: [
      req({ uri: '/', cookies: { 'ab-home': 'a' } }),
      req({ uri: '/pricing', cookies: { 'ab-home': 'b', theme: 'dark' } }),
      req({ uri: '/assets/app.3f9a.js', cookies: { 'ab-home': 'a' }, headers: { Accept: '*/*' } }),
      req({ uri: '/docs/start', cookies: { session: 'x1', 'ab-home': 'a' } }),
    ],
    responses: [
      res({ status: 200, headers: { 'x-ab-home': 'a' } }),
      res({ status: 200, headers: { 'x-ab-home': 'b' }, cookies: { 'ab-home': 'b' } }),
      res({ status: 304, headers: { 'x-ab-home': 'a' }, cookies: { 'ab-home': 'a', theme: 'dark' } }),
      res({ status: 200, headers: { 'x-ab-home': 'b' }, responseHeaders: { 'Set-Cookie': ['session=abc; Secure; HttpOnly'] } }),
    ],
  },
  {
    name: 'jwt-cookie-login',
    example: 'jwt-cookie-login',
    // Members with the session cookie (HS256, valid until 2100), browsers sent to the login page.
    requests: [
      req({ uri: '/members/reports', querystring: 'year=2026', cookies: { theme: 'dark', session: JWT_COOKIE } }),
      req({ uri: '/members/', cookies: { session: JWT_COOKIE } }),
      req({ uri: '/members/reports/q3', cookies: { session: JWT_COOKIE, _ga: 'GA1.2.1234567890.1767225600' } }),
      req({ uri: '/members/reports', querystring: 'year=2026' }),
      req({ uri: '/members/admin', cookies: { session: JWT_COOKIE.slice(0, -4) + 'AAAA' } }),
      req({ uri: '/members/files/report.pdf', cookies: { session: JWT_COOKIE } }),
    ],
  },
  {
    name: 'geo-redirect-pass',
    example: 'geo-redirect-pass',
    requests: [
      req({ uri: '/pricing', country: 'US' }),
      req({ uri: '/pricing', country: 'DE', querystring: 'plan=pro' }),
      req({ uri: '/', country: 'GB' }),
      req({ uri: '/docs/start', country: 'AT' }),
      req({ uri: '/blog/launch', country: 'FR', querystring: 'utm_source=news&utm_medium=email' }),
      req({ uri: '/assets/app.3f9a.js', country: 'US', headers: { Accept: '*/*' } }),
    ],
  },
  {
    name: 'cors',
    example: 'cors',
    // An API: most requests are the app's own calls (with Origin), some preflights, some without
    // Origin (same-origin, curl), one from another site.
    requests: [
      req({ uri: '/v1/orders', headers: { Origin: 'https://app.example.com', Accept: 'application/json' } }),
      req({ uri: '/v1/orders', method: 'OPTIONS', headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'content-type' } }),
      req({ uri: '/v1/orders/42', method: 'POST', headers: { Origin: 'https://app.example.com', 'Content-Type': 'application/json' } }),
      req({ uri: '/v1/me', method: 'OPTIONS', headers: { Origin: 'https://pr-118.preview.example.com', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'x-request-id' } }),
      req({ uri: '/v1/orders' }),
      req({ uri: '/v1/orders', method: 'OPTIONS', headers: { Origin: 'https://evil.example.net', 'Access-Control-Request-Method': 'DELETE' } }),
    ],
    responses: [
      res({ status: 200, headers: { Origin: 'https://app.example.com' }, responseHeaders: { 'Content-Type': 'application/json', Vary: 'Accept-Encoding', 'X-Request-Id': 'r-8f2c' } }),
      res({ status: 201, headers: { Origin: 'https://app.example.com' }, responseHeaders: { 'Content-Type': 'application/json', 'X-Request-Id': 'r-8f2d' } }),
      res({ status: 200, responseHeaders: { 'Content-Type': 'application/json', Vary: 'Accept-Encoding' } }),
      res({ status: 404, headers: { Origin: 'https://pr-118.preview.example.com' }, responseHeaders: { 'Content-Type': 'application/json' } }),
      res({ status: 200, headers: { Origin: 'https://evil.example.net' }, responseHeaders: { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' } }),
    ],
  },
];
