import { ConfigError, defineMiddleware, type Middleware, type RequestContext, type ResponseContext } from '@edgeline/core';
import { booleanOption, isPlainObject, isPrototypeName, knownOptions, named, ownKeysOnly, repr, writtenHeaderOption } from '../lib/options.js';

export interface AbTestOptions {
  /** The experiment's name (`a-z`, `0-9`, `-`): the request header `x-ab-<name>` carries its variant. */
  name: string;
  /** Each variant and its weight, `{ a: 50, b: 50 }`: the first path segment of the rewritten uri (`/x` -> `/b/x`). */
  variants: Record<string, number>;
  /** The cookie that keeps a viewer's variant. Default `ab-<name>`. */
  cookie?: string;
  /**
   * `true`: a viewer keeps the variant its cookie names (a persistent cookie, 30 days).
   * `false`: every request is assigned anew, and the cookie (a session cookie) tells the page
   * which variant it got. Default true.
   */
  sticky?: boolean;
}

type AbTestConfig = {
  /** The request header the request hook sets and the response hook reads. */
  header: string;
  cookie: string;
  /** Variant name -> 1: the names a cookie or the header may hold. */
  variants: Record<string, 1>;
  names: string[];
  /** Cumulative weights over the total, the last exactly 1: variant i when Math.random() < bounds[i]. */
  bounds: number[];
  sticky: boolean;
  /** `; Path=/; ...` after `<cookie>=<variant>`. */
  attributes: string;
  /**
   * Two variants (an A/B test, the common case): the hooks compare with `a` and `b` and draw
   * against `bound`, with the whole Set-Cookie of each (`setA`, `setB`) known at build time, so
   * the CloudFront Function is what one writes by hand (no lookup table, no loop, no Set-Cookie
   * parse). Any other count uses `variants`, `names` and `bounds`.
   */
  pair: boolean;
  a: string;
  b: string;
  bound: number;
  setA: string;
  setB: string;
};

const OPTIONS = ['name', 'variants', 'cookie', 'sticky'];
const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** A variant is a path segment, a cookie value and a header value as it is: URL-safe letters only. */
const VARIANT = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
/** RFC 6265 cookie-name (an HTTP token). */
const COOKIE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const MAX_AGE = 30 * 24 * 3600;

/**
 * Splits viewers between variants by weight: a new viewer is assigned one (Math.random(), the
 * randomness both runtimes have), kept in a cookie, and the uri is rewritten under the variant
 * (`/x` -> `/b/x`, so each variant is its own cache entry). A viewer whose cookie names a variant
 * keeps it (`sticky`). The response to that same request carries the Set-Cookie: the request hook
 * (viewer-request) tells the response hook (viewer-response) the variant in the request header
 * `x-ab-<name>`, which CloudFront gives back with the request in the viewer-response event (it
 * replaces a value the viewer sent). Both hooks run at the viewer events on every target:
 * Set-Cookie must never be cached with an object. CloudFront runs no viewer-response function
 * when the origin answers 400 or more on Lambda@Edge: those responses set no cookie.
 * @example edge().use(abTest({ name: 'checkout', variants: { a: 90, b: 10 } }))
 * @see https://github.com/aws-samples/ab-testing-at-edge
 */
export function abTest(options: AbTestOptions): Middleware<never> {
  return named('abTest', () => build(options));
}

function build(options: AbTestOptions): Middleware<never> {
  const o = knownOptions(options, OPTIONS, 'abTest');
  if (typeof o.name !== 'string' || !NAME.test(o.name)) {
    throw new ConfigError('name', `expected the experiment's name: 1-63 of a-z, 0-9 and '-', starting with a letter or digit, got ${repr(o.name)}`);
  }
  const header = writtenHeaderOption('name', 'x-ab-' + o.name, ['viewer-request']);
  const cookie = o.cookie === undefined ? 'ab-' + o.name : o.cookie;
  if (typeof cookie !== 'string' || !COOKIE.test(cookie)) throw new ConfigError('cookie', `expected a cookie name (letters, digits and !#$%&'*+.^_\`|~-), got ${repr(cookie)}`);
  if (isPrototypeName(cookie)) throw new ConfigError('cookie', `'${cookie}' is an Object.prototype member name: choose another cookie name`);
  if (/^__(host|secure)-/i.test(cookie)) throw new ConfigError('cookie', `'${cookie}': the __Host- and __Secure- prefixes need attributes abTest does not set`);

  if (!isPlainObject(o.variants)) throw new ConfigError('variants', `expected { name: weight }, such as { a: 50, b: 50 }, got ${repr(o.variants)}`);
  ownKeysOnly('variants', o.variants);
  const names = Object.keys(o.variants);
  if (!names.length) throw new ConfigError('variants', 'expected at least one variant, such as { a: 50, b: 50 }');
  const variants: Record<string, 1> = {};
  let total = 0;
  for (const name of names) {
    if (!VARIANT.test(name)) throw new ConfigError(`variants.${name}`, `a variant's name is a path segment: 1-63 of A-Z, a-z, 0-9, '_' and '-', starting with a letter or digit`);
    if (isPrototypeName(name)) throw new ConfigError(`variants.${name}`, `'${name}' is an Object.prototype member name: choose another variant name`);
    const weight = o.variants[name];
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0) throw new ConfigError(`variants.${name}`, `expected a weight above 0, got ${repr(weight)}`);
    variants[name] = 1;
    total += weight;
  }
  let sum = 0;
  const bounds = names.map((name, i) => {
    sum += (o.variants as Record<string, number>)[name];
    return i === names.length - 1 ? 1 : sum / total;
  });
  const sticky = booleanOption('sticky', o.sticky, true);
  const attributes = sticky ? `; Path=/; Max-Age=${MAX_AGE}; SameSite=Lax` : '; Path=/; SameSite=Lax';
  const pair = names.length === 2;
  const config: AbTestConfig = {
    header,
    cookie,
    variants,
    names,
    bounds,
    sticky,
    attributes,
    pair,
    a: names[0],
    b: pair ? names[1] : '',
    bound: bounds[0],
    setA: cookie + '=' + names[0] + attributes,
    setB: pair ? cookie + '=' + names[1] + attributes : '',
  };
  return defineMiddleware({ name: 'abTest', needs: [], config, request: abTestRequest, response: abTestResponse });
}

// Both hooks are lowered as source text (ES5 on CloudFront Functions 1.0): the options decide
// their branches at build time (config.sticky, config.pair), and only the branch taken is kept.

function abTestRequest(ctx: RequestContext, config: AbTestConfig): void {
  // `var`: a hook that cannot throw becomes the handler's body, where the minifier joins it to the
  // handler's own `var` (a `let` stays a statement of its own on cloudfront-js-2.0).
  var variant = config.sticky ? ctx.request.cookies.get(config.cookie) : undefined;
  // A cookie naming no variant (forged, or from an earlier experiment) is assigned anew.
  if (!config.sticky || (config.pair ? variant !== config.a && variant !== config.b : variant === undefined || config.variants[variant] !== 1)) {
    if (config.pair) variant = Math.random() < config.bound ? config.a : config.b;
    else {
      const r = Math.random();
      const bounds = config.bounds;
      let i = 0;
      while (i < bounds.length - 1 && r >= bounds[i]) i++;
      variant = config.names[i];
    }
  }
  ctx.request.headers.set(config.header, variant as string);
  ctx.request.uri = '/' + variant + ctx.request.uri;
}

function abTestResponse(ctx: ResponseContext, config: AbTestConfig): void {
  const variant = ctx.request.headers.get(config.header);
  // Only what the request hook wrote: a request it did not see sets no cookie.
  if (config.pair ? variant !== config.a && variant !== config.b : variant === undefined || config.variants[variant] !== 1) return;
  // Read into a local, so the artifact reads the event's cookie once.
  const own = ctx.request.cookies.get(config.cookie);
  if (own === variant) return;
  const set = ctx.response.headers;
  // Two variants: one append whose value alone is chosen (both Set-Cookie values known at build time).
  if (config.pair) set.append('set-cookie', variant === config.a ? config.setA : config.setB);
  else set.append('set-cookie', config.cookie + '=' + variant + config.attributes);
}
