import { ConfigError, defineMiddleware, type Middleware, type ResponseContext } from '@edgeline/core';
import { booleanOption, headerValueOption, knownOptions, named, repr } from '../lib/options.js';

export interface CacheControlOptions {
  /** The `Cache-Control` value, such as `'public, max-age=86400'`. */
  value: string;
  /**
   * The response statuses it applies to: a range `'200-399'`, a status `'404'`, several joined
   * with commas (`'200-299,404'`), or a list of those and numbers (`[200, 301, '400-404']`).
   * Default `'200-399'`.
   */
  statuses?: string | number | ReadonlyArray<string | number>;
  /** `true` replaces a `Cache-Control` the origin sent; by default that one is kept. */
  override?: boolean;
}

type CacheControlConfig = {
  value: string;
  /** The widest range, inclusive: inlined as two numbers, and most configurations have only this one. */
  from: number;
  to: number;
  /**
   * Every other status, as `',304,410,'` (`''` for none): a string is inlined into the artifact
   * as a literal, and one indexOf on it provably cannot throw, so the hook runs without a
   * try/catch and without a loop (4 bytes of artifact a status).
   */
  more: string;
  override: boolean;
};

const OPTIONS = ['value', 'statuses', 'override'];
// The hook runs at origin-response on Lambda@Edge (the value is cached with the object, and
// CloudFront's own TTL follows it) and at viewer-response on CloudFront Functions.
const WHERE = ['origin-response', 'viewer-response'] as const;
const TOKEN = "[A-Za-z0-9!#$%&'*+.^_`|~-]+";
/** Directives joined with commas: `no-store`, `max-age=300`, `private="set-cookie, x-a"`. */
const DIRECTIVE = `${TOKEN}(=(${TOKEN}|"[^"\\\\]*"))?`;
const DIRECTIVES = new RegExp(`^${DIRECTIVE}([ \\t]*,[ \\t]*${DIRECTIVE})*$`);

/**
 * Sets `Cache-Control` on responses whose status is in `statuses` (default 200-399), unless the
 * origin sent one (`override: true` replaces it). On Lambda@Edge it runs at origin-response, so
 * the header is cached with the object and CloudFront's TTL follows it (as the cache policy
 * allows); on CloudFront Functions at viewer-response, where it tells browsers only: CloudFront
 * has already cached the object with the origin's headers.
 * @example edge().use(cacheControl({ value: 'public, max-age=86400', statuses: '200-299' }))
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/example_cloudfront_functions_add_cache_control_header_section.html
 */
export function cacheControl(options: CacheControlOptions): Middleware<never> {
  return named('cacheControl', () => build(options));
}

function build(options: CacheControlOptions): Middleware<never> {
  const o = knownOptions(options, OPTIONS, 'cacheControl');
  if (o.value === undefined) throw new ConfigError('value', "is required: the Cache-Control value, such as 'public, max-age=86400'");
  const value = headerValueOption('value', o.value).trim();
  if (!DIRECTIVES.test(value)) {
    throw new ConfigError('value', `${JSON.stringify(value)} is not a list of Cache-Control directives (name or name=value, joined with commas: 'public, max-age=86400')`);
  }
  const ranges = statusRanges(o.statuses === undefined ? '200-399' : o.statuses);
  let widest = 0;
  for (let i = 2; i < ranges.length; i += 2) if (ranges[i + 1] - ranges[i] > ranges[widest + 1] - ranges[widest]) widest = i;
  const [from, to] = [ranges[widest], ranges[widest + 1]];
  const others = new Set<number>();
  for (let i = 0; i < ranges.length; i += 2) {
    for (let s = ranges[i]; s <= ranges[i + 1]; s++) if (s < from || s > to) others.add(s);
  }
  const more = others.size ? `,${[...others].sort((a, b) => a - b).join(',')},` : '';
  const config: CacheControlConfig = { value, from, to, more, override: booleanOption('override', o.override, false) };
  return defineMiddleware({ name: 'cacheControl', needs: [], config, response: cacheControlResponse, runsAt: { response: WHERE } });
}

/** `'200-399'`, `'404'`, `'200-299,404'`, `304` or a list of those, as `[from, to, ...]`. */
function statusRanges(value: unknown): number[] {
  const items: unknown[] = Array.isArray(value) ? value : [value];
  if (!items.length) throw new ConfigError('statuses', 'expected a range such as \'200-399\', a status, or a non-empty list of them');
  const out: number[] = [];
  items.forEach((item, i) => {
    const option = Array.isArray(value) ? `statuses[${i}]` : 'statuses';
    if (typeof item === 'number') {
      out.push(status(option, item), item);
      return;
    }
    if (typeof item !== 'string') throw new ConfigError(option, `expected a status or a range such as '200-399', got ${repr(item)}`);
    for (const part of item.split(',')) {
      const m = /^\s*(\d{3})\s*(?:-\s*(\d{3})\s*)?$/.exec(part);
      if (!m) throw new ConfigError(option, `${JSON.stringify(part)} is not a status or a range such as '200-399'`);
      const from = status(option, Number(m[1]));
      const to = m[2] === undefined ? from : status(option, Number(m[2]));
      if (to < from) throw new ConfigError(option, `'${part.trim()}' is an empty range (${from} is above ${to})`);
      out.push(from, to);
    }
  });
  return out;
}

function status(option: string, n: number): number {
  if (!Number.isInteger(n) || n < 100 || n > 599) throw new ConfigError(option, `expected an HTTP status from 100 to 599, got ${repr(n)}`);
  return n;
}

// Lowered as source text (ES5 on CloudFront Functions 1.0).
function cacheControlResponse(ctx: ResponseContext, config: CacheControlConfig): void {
  const status = ctx.response.status;
  if ((status < config.from || status > config.to) && (!config.more || config.more.indexOf(',' + status + ',') < 0)) return;
  const h = ctx.response.headers;
  if (config.override || !h.has('cache-control')) h.set('cache-control', config.value);
}
