import { ConfigError, defineMiddleware, type Middleware, type RequestContext } from '@edgeline/core';
import { booleanOption, knownOptions, named, repr } from '../lib/options.js';

export interface IndexRewriteOptions {
  /** The index document of a folder. Default `'index.html'`. */
  index?: string;
  /** `true`: every path whose last segment has no file extension is served `/<index>` (a single-page app). Default false. */
  spa?: boolean;
}

type IndexRewriteConfig = {
  /** What a folder path gets: `index` and `'/' + index`. */
  index: string;
  slashIndex: string;
  /** `'/' + index` with `spa`, else `''`. */
  spa: string;
};

const OPTIONS = ['index', 'spa'];
/** One path segment of URL characters, not `.` or `..`: it is appended to the uri as it is. */
const SEGMENT = /^[A-Za-z0-9_~!$&'()*+,;=:@%-][A-Za-z0-9._~!$&'()*+,;=:@%-]*$/;

/**
 * Serves a folder's index document from an S3 origin, which has no notion of folders:
 * `/docs/` -> `/docs/index.html`, `/docs` -> `/docs/index.html`, `/a.css` unchanged. With
 * `spa: true` every path without a file extension -> `/index.html` (the single-page-app rewrite:
 * the app routes on the client). Only the last segment decides: `/v1.2/guide` is a folder
 * (`/v1.2/guide/index.html`; the AWS sample, which looks for a `.` anywhere, leaves it). The
 * query string is not part of the uri and stays as sent. Viewer-request, every target.
 * @example edge().use(indexRewrite())
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/example_cloudfront_functions_url_rewrite_single_page_apps_section.html
 */
export function indexRewrite(options: IndexRewriteOptions = {}): Middleware<never> {
  return named('indexRewrite', () => build(options));
}

function build(options: IndexRewriteOptions): Middleware<never> {
  const o = knownOptions(options, OPTIONS, 'indexRewrite');
  const index = o.index === undefined ? 'index.html' : o.index;
  if (typeof index !== 'string' || !SEGMENT.test(index)) {
    throw new ConfigError('index', `expected a file name such as 'index.html' (URL path characters, no '/', not starting with '.'), got ${repr(index)}`);
  }
  const spa = booleanOption('spa', o.spa, false);
  const config: IndexRewriteConfig = { index, slashIndex: '/' + index, spa: spa ? '/' + index : '' };
  return defineMiddleware({ name: 'indexRewrite', needs: [], config, request: indexRewriteRequest });
}

// Lowered as source text (ES5 on CloudFront Functions 1.0). Two native searches over the uri
// (linear, at most 8 KB): no loop, no regular expression over what the viewer sent.
function indexRewriteRequest(ctx: RequestContext, config: IndexRewriteConfig): void {
  const uri = ctx.request.uri;
  const slash = uri.lastIndexOf('/');
  // A `.` in the last segment: a file name with an extension, served as it is.
  if (uri.indexOf('.', slash + 1) >= 0) return;
  if (config.spa) ctx.request.uri = config.spa;
  else ctx.request.uri = slash === uri.length - 1 ? uri + config.index : uri + config.slashIndex;
}
