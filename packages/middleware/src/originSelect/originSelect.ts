import { isIP } from 'node:net';
import { ConfigError, defineMiddleware, type CustomOrigin, type Middleware, type RequestContext } from '@edgeline/core';
import { booleanOption, countryOption, repr, headerNameOption, isPlainObject, knownOptions, originOption, REGION, stringOption } from '../lib/options.js';

/**
 * An S3 bucket by name and region, or by its domain name: a regional one
 * (`bucket.s3.eu-west-1.amazonaws.com`, `bucket.s3-eu-west-1.amazonaws.com`) gives the region; the
 * global `bucket.s3.amazonaws.com` needs `region` too. The region is needed to sign with Origin
 * Access Control (SigV4 is per region) and to reach the bucket by its regional name.
 */
export type S3OriginOption = {
  s3: { bucket: string; region: string; path?: string } | { domainName: string; region?: string; path?: string };
};
/** An S3 origin or a custom origin (any HTTP server, never signed). */
export type OriginOption = S3OriginOption | CustomOrigin;

export interface OriginSelectOptions {
  /** ISO 3166-1 alpha-2 code (any case) -> origin, by the viewer's `cloudfront-viewer-country`. */
  byCountry?: Record<string, OriginOption>;
  /** Header name -> (exact header value -> origin). Checked before `byCountry`, in the order given. */
  byHeader?: Record<string, Record<string, OriginOption>>;
  /** The origin when nothing else matched; without it the distribution's own origin is kept. */
  default?: OriginOption;
  /**
   * A DNS name whose TXT record reads `bucket;region` (a Route 53 latency record answers the
   * nearest copy of a bucket): that S3 origin is used when neither byHeader nor byCountry matched.
   * Lambda@Edge only. Any failure falls back to `default`.
   */
  dnsTxt?: string;
  /** Seconds a TXT answer is reused by a warm container. Default 60. */
  dnsTtl?: number;
  /** The resolver to ask (`ip` or `ip:port`) instead of the system's. */
  dnsServer?: string;
  /**
   * `true` (default): S3 origins are signed with Origin Access Control, SigV4 for the bucket's
   * region, on both targets. `false`: every S3 origin is requested unsigned, as a custom origin
   * over HTTPS to the bucket's regional REST endpoint (for public buckets), on both targets.
   */
  oac?: boolean;
}

/** Origin as plain data (core's Origin interfaces have no index signature, which Config needs). */
type OriginData =
  | { s3: { bucket: string; region: string; path?: string } }
  | { custom: { domainName: string; protocol?: 'http' | 'https'; port?: number; path?: string } };
type SelectConfig = {
  /** Every origin once; the lookups below hold indexes into it. */
  origins: OriginData[];
  headerNames: string[];
  /** Per header name: value -> origin index. A number can never come from Object.prototype. */
  headerValues: Record<string, number>[];
  /** Upper-case country -> origin index. */
  countries: Record<string, number>;
  /** Origin index, or -1 to keep the distribution's origin. */
  fallback: number;
};
/** `oac: false` turns the TXT record's bucket into an unsigned custom origin, as the factory does. */
type DnsConfig = SelectConfig & { dnsTxt: string; ttl: number; server: string | null; timeout: number; oac: boolean };

const OPTIONS = ['byCountry', 'byHeader', 'default', 'dnsTxt', 'dnsTtl', 'dnsServer', 'oac'];
const HOST_NAME = /^(?=.{1,253}\.?$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)*\.?$/i;
// Lambda@Edge runs origin-request; CloudFront Functions (cloudfront-js-2.0) change the origin at viewer-request.
const RUNS_AT = { request: ['origin-request', 'viewer-request'] as const };

/**
 * Chooses the origin per request, by header, by viewer country or by a DNS TXT record (the
 * S3 latency-routing pattern), else `default`; the Host header follows the origin. Lambda@Edge
 * (origin-request) or cloudfront-js-2.0 (viewer-request); `dnsTxt` is Lambda@Edge only.
 * @example edge().use(originSelect({ byCountry: { DE: { s3: { bucket: 'assets-eu', region: 'eu-central-1' } } }, default: { custom: { domainName: 'origin.example.com' } } }))
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/helper-functions-origin-modification.html
 */
export function originSelect(options: OriginSelectOptions & { dnsTxt: string }): Middleware<'origin' | 'network' | 'async'>;
export function originSelect(options: OriginSelectOptions & { dnsTxt?: undefined }): Middleware<'origin'>;
export function originSelect(options: OriginSelectOptions): Middleware<'origin' | 'network' | 'async'>;
export function originSelect(options: OriginSelectOptions): Middleware<'origin' | 'network' | 'async'> {
  try {
    return build(options);
  } catch (e) {
    // Every option error names the middleware as well as the option.
    if (e instanceof ConfigError && !e.message.startsWith('originSelect ')) {
      e.message = `originSelect ${e.message}`;
      (e as ConfigError & { middleware?: string }).middleware = 'originSelect';
    }
    throw e;
  }
}

function build(options: OriginSelectOptions): Middleware<'origin' | 'network' | 'async'> {
  const o = knownOptions(options, OPTIONS, 'originSelect');
  const oac = booleanOption('oac', o.oac, true);
  if (o.byCountry === undefined && o.byHeader === undefined && o.default === undefined && o.dnsTxt === undefined) {
    throw new ConfigError('default', 'give at least one of byCountry, byHeader, dnsTxt or default');
  }
  const origins: OriginData[] = [];
  const keys: string[] = [];
  const add = (option: string, value: unknown): number => {
    const origin = selectOriginOption(option, value, oac);
    const key = JSON.stringify(origin);
    const at = keys.indexOf(key);
    if (at >= 0) return at;
    keys.push(key);
    origins.push(origin);
    return origins.length - 1;
  };
  const headerNames: string[] = [];
  const headerValues: Record<string, number>[] = [];
  if (o.byHeader !== undefined) {
    if (!isPlainObject(o.byHeader)) throw new ConfigError('byHeader', `expected { 'header-name': { value: origin } }, got ${repr(o.byHeader)}`);
    noHiddenKeys('byHeader', o.byHeader);
    for (const [raw, values] of Object.entries(o.byHeader)) {
      const name = headerNameOption('byHeader', raw, []);
      // The hooks read the header map by this name: an Object.prototype name would read the
      // prototype's member on some target (Lambda@Edge: a TypeError on every request, a 502).
      if (name in Object.prototype) throw new ConfigError('byHeader', `'${raw}' is an Object.prototype member name, not a header to select by`);
      if (headerNames.indexOf(name) >= 0) throw new ConfigError(`byHeader.${raw}`, `'${name}' is listed twice (header names are case-insensitive)`);
      if (!isPlainObject(values)) throw new ConfigError(`byHeader.${raw}`, `expected { value: origin }, got ${repr(values)}`);
      noHiddenKeys(`byHeader.${raw}`, values);
      const table: Record<string, number> = {};
      for (const [value, origin] of Object.entries(values)) {
        // Inlined as an object literal, a '__proto__' key would set the table's prototype instead.
        if (value === '__proto__') throw new ConfigError(`byHeader.${raw}.__proto__`, "'__proto__' cannot be a header value key (it would never match)");
        table[value] = add(`byHeader.${raw}.${value}`, origin);
      }
      headerNames.push(name);
      headerValues.push(table);
    }
  }
  const countries: Record<string, number> = {};
  if (o.byCountry !== undefined) {
    if (!isPlainObject(o.byCountry)) throw new ConfigError('byCountry', `expected { DE: origin, ... }, got ${repr(o.byCountry)}`);
    noHiddenKeys('byCountry', o.byCountry);
    for (const [code, origin] of Object.entries(o.byCountry)) countries[countryOption(`byCountry.${code}`, code)] = add(`byCountry.${code}`, origin);
  }
  const fallback = o.default === undefined ? -1 : add('default', o.default);
  const config: SelectConfig = { origins, headerNames, headerValues, countries, fallback };

  if (o.dnsTxt === undefined) {
    for (const option of ['dnsTtl', 'dnsServer']) if (o[option] !== undefined) throw new ConfigError(option, 'applies to dnsTxt only');
    return defineMiddleware<'origin', SelectConfig>({ name: 'originSelect', needs: ['origin'], config, request: originSelectRequest, runsAt: RUNS_AT });
  }
  const name = stringOption('dnsTxt', o.dnsTxt);
  if (!HOST_NAME.test(name)) throw new ConfigError('dnsTxt', `'${name}' is not a DNS name`);
  const ttl = o.dnsTtl === undefined ? 60 : o.dnsTtl;
  if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 1 || ttl > 86400) {
    throw new ConfigError('dnsTtl', `expected seconds between 1 and 86400, got ${repr(ttl)}`);
  }
  const dns: DnsConfig = { ...config, dnsTxt: name, ttl, server: o.dnsServer === undefined ? null : serverOption(o.dnsServer), timeout: 1000, oac };
  return defineMiddleware<'origin' | 'network' | 'async', DnsConfig>({
    name: 'originSelect', needs: ['origin', 'network', 'async'], config: dns, request: originSelectDnsRequest, runsAt: RUNS_AT,
  });
}

/**
 * `{ __proto__: x }` written as a literal sets the object's prototype: Object.entries never sees
 * it, and the entry would be dropped without a word. Refuse it.
 */
function noHiddenKeys(option: string, value: Record<string, unknown>): void {
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw new ConfigError(`${option}.__proto__`, "'__proto__' cannot be a key here");
}

/** `bucket.s3.<region>.amazonaws.com` or the older `bucket.s3-<region>.amazonaws.com`. */
const S3_REGIONAL = /^([a-z0-9][a-z0-9-]{1,61}[a-z0-9])\.s3[.-]([a-z]{2}(?:-[a-z]+)+-\d{1,2})\.amazonaws\.com$/;
/** The global (legacy) name: no region in it. */
const S3_GLOBAL = /^([a-z0-9][a-z0-9-]{1,61}[a-z0-9])\.s3\.amazonaws\.com$/;

/**
 * An origin option as the hooks take it: `{ s3: { bucket, region, path? } }` (the region given or
 * read from a regional domain name) or `{ custom: ... }`; with `oac: false` an S3 origin becomes
 * the custom origin of its bucket's REST endpoint over HTTPS, which no target signs.
 */
function selectOriginOption(option: string, value: unknown, oac: boolean): OriginData {
  let input = value;
  if (isPlainObject(value) && isPlainObject(value.s3) && Object.keys(value).length === 1) {
    const { domainName, ...rest } = value.s3 as Record<string, unknown>;
    if (domainName !== undefined) {
      if (rest.bucket !== undefined) throw new ConfigError(`${option}.s3.domainName`, 'give the bucket or its domainName, not both');
      const host = stringOption(`${option}.s3.domainName`, domainName).toLowerCase().replace(/\.$/, '');
      const regional = S3_REGIONAL.exec(host);
      const global = S3_GLOBAL.exec(host);
      if (!regional && !global) {
        throw new ConfigError(`${option}.s3.domainName`, `'${host}' is not an S3 REST endpoint name (bucket.s3.<region>.amazonaws.com); a website endpoint is a custom origin`);
      }
      if (regional && rest.region !== undefined && rest.region !== regional[2]) {
        throw new ConfigError(`${option}.s3.region`, `'${String(rest.region)}' differs from the region in the domain name ('${regional[2]}')`);
      }
      input = { s3: { ...rest, bucket: (regional || global)![1], region: regional ? regional[2] : rest.region } };
    }
    const s3 = (input as { s3: Record<string, unknown> }).s3;
    if (s3.region === undefined) {
      throw new ConfigError(`${option}.s3.region`, "the bucket's region is needed (Origin Access Control signs per region): give region, or a regional domainName such as 'bucket.s3.eu-west-1.amazonaws.com'");
    }
    if (typeof s3.region === 'string' && !REGION.test(s3.region)) throw new ConfigError(`${option}.s3.region`, `'${s3.region}' is not an AWS region name`);
  }
  const origin = originOption(option, input) as OriginData;
  if (oac || !('s3' in origin)) return origin;
  const custom: { domainName: string; protocol: 'https'; path?: string } = {
    domainName: origin.s3.bucket + '.s3.' + origin.s3.region + '.amazonaws.com',
    protocol: 'https',
  };
  if (origin.s3.path) custom.path = origin.s3.path;
  return { custom };
}

function serverOption(value: unknown): string {
  const server = stringOption('dnsServer', value);
  const m = /^(\[[0-9a-f:.]+\]|[0-9.]+)(?::(\d{1,5}))?$/i.exec(server);
  const ip = m ? m[1].replace(/^\[|\]$/g, '') : '';
  if (!m || !isIP(ip) || (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535))) {
    throw new ConfigError('dnsServer', `expected an IP address with an optional port ('10.0.0.2', '127.0.0.1:5353', '[::1]:53'), got ${repr(value)}`);
  }
  return server;
}

// Lowered as source text (cloudfront-js-2.0 at viewer-request: ES5 syntax, no Map).
function originSelectRequest(ctx: RequestContext, config: SelectConfig): undefined {
  let at = -1;
  const names = config.headerNames;
  for (let i = 0; i < names.length && at < 0; i++) {
    const value = ctx.request.headers.get(names[i]);
    if (value !== undefined && typeof config.headerValues[i][value] === 'number') at = config.headerValues[i][value];
  }
  if (at < 0) {
    const country = ctx.viewer.country;
    if (country && typeof config.countries[country.toUpperCase()] === 'number') at = config.countries[country.toUpperCase()];
  }
  if (at < 0) at = config.fallback;
  if (at >= 0) ctx.setOrigin(config.origins[at]);
  return undefined;
}

// Lambda@Edge only (network, async). The TXT answer (or the failure) is kept per warm container
// on globalThis, keyed by name and resolver: one lookup per TTL, not one per request.
async function originSelectDnsRequest(ctx: RequestContext, config: DnsConfig): Promise<undefined> {
  let at = -1;
  const names = config.headerNames;
  for (let i = 0; i < names.length && at < 0; i++) {
    const value = ctx.request.headers.get(names[i]);
    if (value !== undefined && typeof config.headerValues[i][value] === 'number') at = config.headerValues[i][value];
  }
  if (at < 0) {
    const country = ctx.viewer.country;
    if (country && typeof config.countries[country.toUpperCase()] === 'number') at = config.countries[country.toUpperCase()];
  }
  if (at >= 0) {
    ctx.setOrigin(config.origins[at]);
    return undefined;
  }
  type Entry = { until: number; origin: OriginData | null };
  const g = globalThis as unknown as { __edgelineDnsTxt?: Map<string, Entry> };
  const cache = g.__edgelineDnsTxt || (g.__edgelineDnsTxt = new Map());
  const id = config.dnsTxt + ' ' + (config.server || '') + (config.oac ? '' : ' unsigned');
  const now = Date.now();
  let entry = cache.get(id);
  if (!entry || entry.until <= now) {
    let origin: OriginData | null = null;
    try {
      const dns = require('dns');
      const resolver = new dns.promises.Resolver({ timeout: config.timeout, tries: 1 });
      if (config.server) resolver.setServers([config.server]);
      const records: string[][] = await resolver.resolveTxt(config.dnsTxt);
      // The first record that reads `bucket;region`; the same rules as the factory's.
      for (let i = 0; i < records.length && !origin; i++) {
        const parts = records[i].join('').trim().split(';');
        const bucket = parts.length === 2 ? parts[0].trim() : '';
        const region = parts.length === 2 ? parts[1].trim() : '';
        if (/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucket) && /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(region)) {
          // The factory's `oac: false` rule: the bucket's REST endpoint as an unsigned custom origin.
          origin = config.oac ? { s3: { bucket: bucket, region: region } } : { custom: { domainName: bucket + '.s3.' + region + '.amazonaws.com', protocol: 'https' } };
        }
      }
    } catch (e) {
      origin = null;
    }
    // A failure is kept for a few seconds only, so an outage does not cost a DNS timeout per request.
    entry = { until: now + (origin ? config.ttl : Math.min(config.ttl, 5)) * 1000, origin: origin };
    cache.set(id, entry);
  }
  const chosen = entry.origin || (config.fallback >= 0 ? config.origins[config.fallback] : null);
  if (chosen) ctx.setOrigin(chosen);
  return undefined;
}
