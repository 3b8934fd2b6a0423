import { isIP } from 'node:net';
import { ConfigError, defineMiddleware, type Middleware, type Origin, type RequestContext } from '@edgeline/core';
import { countryOption, repr, headerNameOption, isPlainObject, knownOptions, originOption, stringOption } from '../lib/options.js';

export interface OriginSelectOptions {
  /** ISO 3166-1 alpha-2 code (any case) -> origin, by the viewer's `cloudfront-viewer-country`. */
  byCountry?: Record<string, Origin>;
  /** Header name -> (exact header value -> origin). Checked before `byCountry`, in the order given. */
  byHeader?: Record<string, Record<string, Origin>>;
  /** The origin when nothing else matched; without it the distribution's own origin is kept. */
  default?: Origin;
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
type DnsConfig = SelectConfig & { dnsTxt: string; ttl: number; server: string | null; timeout: number };

const OPTIONS = ['byCountry', 'byHeader', 'default', 'dnsTxt', 'dnsTtl', 'dnsServer'];
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
  const o = knownOptions(options, OPTIONS, 'originSelect');
  if (o.byCountry === undefined && o.byHeader === undefined && o.default === undefined && o.dnsTxt === undefined) {
    throw new ConfigError('default', 'give at least one of byCountry, byHeader, dnsTxt or default');
  }
  const origins: OriginData[] = [];
  const keys: string[] = [];
  const add = (option: string, value: unknown): number => {
    const origin = originOption(option, value);
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
    for (const [raw, values] of Object.entries(o.byHeader)) {
      const name = headerNameOption('byHeader', raw, []);
      if (!isPlainObject(values)) throw new ConfigError(`byHeader.${raw}`, `expected { value: origin }, got ${repr(values)}`);
      const table: Record<string, number> = {};
      for (const [value, origin] of Object.entries(values)) table[value] = add(`byHeader.${raw}.${value}`, origin);
      headerNames.push(name);
      headerValues.push(table);
    }
  }
  const countries: Record<string, number> = {};
  if (o.byCountry !== undefined) {
    if (!isPlainObject(o.byCountry)) throw new ConfigError('byCountry', `expected { DE: origin, ... }, got ${repr(o.byCountry)}`);
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
  const dns: DnsConfig = { ...config, dnsTxt: name, ttl, server: o.dnsServer === undefined ? null : serverOption(o.dnsServer), timeout: 1000 };
  return defineMiddleware<'origin' | 'network' | 'async', DnsConfig>({
    name: 'originSelect', needs: ['origin', 'network', 'async'], config: dns, request: originSelectDnsRequest, runsAt: RUNS_AT,
  });
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
  const id = config.dnsTxt + ' ' + (config.server || '');
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
          origin = { s3: { bucket: bucket, region: region } };
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
