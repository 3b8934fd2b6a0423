import { ConfigError, defineMiddleware, type Middleware, type RequestContext } from '@edgeline/core';
import { knownOptions, named, writtenHeaderOption } from '../lib/options.js';

export interface TrueClientIpOptions {
  /** The request header that carries the viewer's IP to the origin. Default `'true-client-ip'`. */
  header?: string;
}

type TrueClientIpConfig = { header: string };

const OPTIONS = ['header'];
// Lambda@Edge: origin-request, on cache misses only, and the header goes straight to the origin;
// CloudFront Functions (and --target auto, the cheapest): viewer-request.
const WHERE = ['origin-request', 'viewer-request'] as const;

/**
 * Puts the viewer's IP address in a request header for the origin, which otherwise sees
 * CloudFront's address: `event.viewer.ip` on CloudFront Functions, `request.clientIp` on
 * Lambda@Edge. A value the viewer sent in that header is replaced. On CloudFront Functions it
 * runs at viewer-request: add the header to the behavior's origin request policy, or CloudFront
 * drops it before the origin. On Lambda@Edge it runs at origin-request (only on cache misses),
 * where what the function sets goes to the origin as it is.
 * @example edge().use(trueClientIp({ header: 'x-client-ip' }))
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/example_cloudfront_functions_add_true_client_ip_header_section.html
 */
export function trueClientIp(options: TrueClientIpOptions = {}): Middleware<never> {
  return named('trueClientIp', () => build(options));
}

function build(options: TrueClientIpOptions): Middleware<never> {
  const o = knownOptions(options, OPTIONS, 'trueClientIp');
  const header = o.header === undefined ? 'true-client-ip' : writtenHeaderOption('header', o.header, WHERE);
  // Headers CloudFront itself fills in about the viewer: replacing one loses what it says
  // (X-Forwarded-For's proxy chain) or makes it lie (CloudFront-Viewer-Address, -Country...).
  if (header === 'x-forwarded-for' || header === 'forwarded' || header.indexOf('cloudfront-') === 0) {
    throw new ConfigError('header', `'${header}' is filled in by CloudFront or by the viewer's proxies: replacing it would lose what it says; choose a header of its own such as 'true-client-ip'`);
  }
  const config: TrueClientIpConfig = { header };
  return defineMiddleware({ name: 'trueClientIp', needs: [], config, request: trueClientIpRequest, runsAt: { request: WHERE } });
}

// Lowered as source text (ES5 on CloudFront Functions 1.0).
function trueClientIpRequest(ctx: RequestContext, config: TrueClientIpConfig): void {
  ctx.request.headers.set(config.header, ctx.viewer.ip);
}
