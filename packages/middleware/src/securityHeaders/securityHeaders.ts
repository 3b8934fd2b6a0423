import { ConfigError, defineMiddleware, type Middleware, type ResponseContext } from '@edgeline/core';
import { booleanOption, repr, headerValueOption, isPlainObject, knownOptions, named, ownKeysOnly, writtenHeaderOption } from '../lib/options.js';

/** Each named header and its default value. Adding a header is one line here (and one test). */
export const SECURITY_HEADER_DEFAULTS = {
  strictTransportSecurity: ['strict-transport-security', 'max-age=63072000; includeSubdomains; preload'],
  contentSecurityPolicy: [
    'content-security-policy',
    "default-src 'none'; img-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'",
  ],
  xContentTypeOptions: ['x-content-type-options', 'nosniff'],
  xFrameOptions: ['x-frame-options', 'DENY'],
  xXssProtection: ['x-xss-protection', '1; mode=block'],
  referrerPolicy: ['referrer-policy', 'strict-origin-when-cross-origin'],
} as const;

type Named = keyof typeof SECURITY_HEADER_DEFAULTS;

export type SecurityHeadersOptions = {
  /** A string replaces the default value; `false` leaves the header out. */
  [K in Named]?: string | false;
} & {
  /** Sets `access-control-allow-origin` to `'*'` or to one origin (`https://app.example.com`). Absent unless given. */
  cors?: string;
  /** More headers to set, `{ name: value }`; they win over the named ones. */
  headers?: Record<string, string>;
  /** `false` keeps a value the origin already set. Default true. */
  override?: boolean;
};

type SecurityHeadersConfig = {
  /** `[name, value, name, value, ...]`, lower-case names: one flat array is the cheapest to walk. */
  headers: string[];
  override: boolean;
};

const OPTIONS = [...Object.keys(SECURITY_HEADER_DEFAULTS), 'cors', 'headers', 'override'];
// The hook runs at origin-response on Lambda@Edge and at viewer-response on CloudFront Functions.
const WHERE = ['origin-response', 'viewer-response'] as const;
const ORIGIN = /^https?:\/\/[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/;

/**
 * Adds the usual security headers to every response. On Lambda@Edge it runs at origin-response,
 * so the headers are cached with the object and reach error responses too (Lambda@Edge skips
 * viewer-response when the origin answers >= 400); on CloudFront Functions at viewer-response.
 * @example edge().use(securityHeaders({ contentSecurityPolicy: "default-src 'self'", cors: '*' }))
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/example-function-add-security-headers.html
 */
export function securityHeaders(options: SecurityHeadersOptions = {}): Middleware<never> {
  return named('securityHeaders', () => build(options));
}

function build(options: SecurityHeadersOptions): Middleware<never> {
  const o = knownOptions(options, OPTIONS, 'securityHeaders');
  const chosen: Record<string, string> = {};
  for (const key of Object.keys(SECURITY_HEADER_DEFAULTS) as Named[]) {
    const [name, fallback] = SECURITY_HEADER_DEFAULTS[key];
    const value = o[key];
    if (value === false) continue;
    if (value !== undefined && typeof value !== 'string') throw new ConfigError(key, `expected a string or false, got ${repr(value)}`);
    chosen[name] = value === undefined ? fallback : headerValueOption(key, value);
  }
  if (o.cors !== undefined) {
    const cors = o.cors;
    if (typeof cors !== 'string' || (cors !== '*' && !ORIGIN.test(cors))) {
      throw new ConfigError('cors', `expected '*' or an origin such as 'https://app.example.com' (lower case, no path), got ${repr(cors)}`);
    }
    chosen['access-control-allow-origin'] = cors;
  }
  if (o.headers !== undefined) {
    if (!isPlainObject(o.headers)) throw new ConfigError('headers', `expected { name: value }, got ${repr(o.headers)}`);
    ownKeysOnly('headers', o.headers);
    // `{ __proto__: 'x' }` leaves an empty object behind (a string prototype is ignored): an empty
    // list is more likely that than intended.
    if (!Object.keys(o.headers).length) {
      throw new ConfigError('headers', "adds no header: leave it out (note that `{ __proto__: ... }` in an object literal sets the prototype, it adds no key)");
    }
    for (const [raw, value] of Object.entries(o.headers)) {
      const name = writtenHeaderOption('headers', raw, WHERE);
      // The CloudFront Functions adapter keeps Set-Cookie apart: setting it would drop the origin's cookies.
      if (name === 'set-cookie') throw new ConfigError('headers', 'set-cookie is not a security header: set cookies in a middleware of its own');
      chosen[name] = headerValueOption('headers', value);
    }
  }
  const config: SecurityHeadersConfig = { headers: Object.entries(chosen).flat(), override: booleanOption('override', o.override, true) };
  return defineMiddleware({
    name: 'securityHeaders',
    needs: [],
    config,
    response: securityHeadersResponse,
    runsAt: { response: WHERE },
  });
}

// Lowered as source text (ES5 on CloudFront Functions 1.0). The one source of both targets: the
// lowering writes the loop over the (build-time) header list out, one assignment per header, as
// a hand-written function has it.
function securityHeadersResponse(ctx: ResponseContext, config: SecurityHeadersConfig): void {
  const h = ctx.response.headers;
  const list = config.headers;
  for (let i = 0; i < list.length; i += 2) {
    if (config.override || !h.has(list[i])) h.set(list[i], list[i + 1]);
  }
}

