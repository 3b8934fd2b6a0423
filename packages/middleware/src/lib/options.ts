import { ConfigError, headerProblem, type EventType, type Origin } from '@edgeline/core';

// Option checks shared by the factories. They run when a factory is called (build time), never
// at the edge: nothing here may be used by a hook.

/** ISO 3166-1 alpha-2, officially assigned codes (249). */
const ISO_COUNTRIES =
  'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
  'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR ' +
  'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP ' +
  'KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT ' +
  'MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW ' +
  'SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG ' +
  'UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW';
const COUNTRIES = new Set(ISO_COUNTRIES.split(' '));
/** Codes people write that ISO 3166 spells otherwise. */
const LOOKALIKES: Record<string, string> = { UK: 'GB', EL: 'GR' };

/** An ISO 3166-1 alpha-2 code in any case, returned upper-case. */
export function countryOption(option: string, value: unknown): string {
  if (typeof value !== 'string') throw new ConfigError(option, `expected an ISO 3166-1 alpha-2 country code, got ${repr(value)}`);
  const upper = value.toUpperCase();
  if (!COUNTRIES.has(upper)) {
    const hint = LOOKALIKES[upper] ? ` (did you mean '${LOOKALIKES[upper]}'?)` : '';
    throw new ConfigError(option, `'${value}' is not an ISO 3166-1 alpha-2 country code${hint}`);
  }
  return upper;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;

/**
 * A header name a hook may write at each of `eventTypes`, lower-cased. CloudFront answers 502
 * when a function adds a disallowed or read-only header: refuse it now instead.
 */
export function headerNameOption(option: string, value: unknown, eventTypes: readonly EventType[]): string {
  if (typeof value !== 'string' || !value) throw new ConfigError(option, `expected a header name, got ${repr(value)}`);
  const name = value.toLowerCase();
  if (!TOKEN.test(name)) throw new ConfigError(option, `'${value}' is not a valid header name`);
  // The artifact reads and writes `headers[name]`: `constructor` would find Object's (a throw on
  // every request on CloudFront Functions, a 502 on Lambda@Edge), `__proto__` the prototype.
  if (isPrototypeName(name)) throw new ConfigError(option, `'${name}' is an Object.prototype member name, not a header name`);
  for (const eventType of eventTypes) {
    const problem = headerProblem(eventType, name, undefined);
    if (problem === 'read-only') throw new ConfigError(option, `'${name}' is read-only at ${eventType}: CloudFront would answer 502`);
    if (problem) throw new ConfigError(option, `'${name}' may not be set by an edge function: CloudFront would answer 502`);
  }
  return name;
}

/**
 * Request headers a middleware must never write: the viewer's cookies, CloudFront's Host, the
 * viewer's credentials. Writing one replaces what the origin (or the next middleware) reads.
 */
const OWNED_BY_VIEWER = ['cookie', 'host', 'authorization'];

/**
 * A header name a hook writes (sets or deletes) at each of `eventTypes`: `headerNameOption`,
 * and never `cookie`, `host` or `authorization`.
 */
export function writtenHeaderOption(option: string, value: unknown, eventTypes: readonly EventType[]): string {
  const name = headerNameOption(option, value, eventTypes);
  if (OWNED_BY_VIEWER.indexOf(name) >= 0) {
    throw new ConfigError(option, `'${name}' carries what the viewer sent (${OWNED_BY_VIEWER.join(', ')}): writing it would replace it; choose a header of its own`);
  }
  return name;
}

/** A header name a hook only reads; any valid name that is not an Object.prototype member. */
export function readHeaderOption(middleware: string, option: string, value: unknown): string {
  return named(middleware, () => headerNameOption(option, value, []));
}

/** `constructor`, `__proto__`, `toString`...: a key an empty object already answers. */
export function isPrototypeName(key: string): boolean {
  return key in Object.prototype;
}

/**
 * A string used as a property name in generated code (`table[key]`): no Object.prototype
 * member, which a lookup would find on every object.
 */
export function objectKeyOption(option: string, value: unknown): string {
  const key = stringOption(option, value);
  if (isPrototypeName(key)) throw new ConfigError(option, `'${key}' is an Object.prototype member name: it cannot be a key`);
  return key;
}

/**
 * `{ __proto__: x }` written as an object literal sets the object's prototype: Object.keys never
 * sees it and the entry would be dropped without a word. Refuse it (and any other prototype).
 */
export function ownKeysOnly(option: string, value: Record<string, unknown>): void {
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw new ConfigError(`${option}.__proto__`, "'__proto__' cannot be a key here (in an object literal it sets the prototype)");
  for (const key of Object.keys(value)) {
    if (key === '__proto__') throw new ConfigError(`${option}.__proto__`, "'__proto__' cannot be a key here");
  }
}

/**
 * Runs a factory's option checks so that every ConfigError names the middleware before the
 * option (`cacheKeyFromBasicAuth header: ...`); `.option` stays the option's own name.
 */
export function named<T>(middleware: string, build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (e instanceof ConfigError && !e.message.startsWith(`${middleware} `)) {
      e.message = `${middleware} ${e.message}`;
      (e as ConfigError & { middleware?: string }).middleware = middleware;
    }
    throw e;
  }
}

/** A header value: printable ASCII and tabs only (CR or LF would split the header). */
export function headerValueOption(option: string, value: unknown): string {
  if (typeof value !== 'string') throw new ConfigError(option, `expected a string, got ${repr(value)}`);
  if (/[\r\n]/.test(value)) throw new ConfigError(option, 'a header value may not hold CR or LF');
  if (!/^[\t\x20-\x7e]*$/.test(value)) throw new ConfigError(option, 'a header value may hold only printable ASCII characters and tabs');
  if (!value.trim()) throw new ConfigError(option, 'empty header value');
  return value;
}

export function oneOf<T extends string | number>(option: string, value: unknown, allowed: readonly T[]): T {
  if ((allowed as readonly unknown[]).indexOf(value) < 0) {
    throw new ConfigError(option, `expected one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${repr(value)}`);
  }
  return value as T;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function stringOption(option: string, value: unknown): string {
  if (typeof value !== 'string' || !value) throw new ConfigError(option, `expected a non-empty string, got ${repr(value)}`);
  return value;
}

export function booleanOption(option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ConfigError(option, `expected true or false, got ${repr(value)}`);
  return value;
}

/** One string or a non-empty list of them. */
export function stringListOption(option: string, value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (!list.length) throw new ConfigError(option, 'expected a string or a non-empty list of strings');
  return list.map((v, i) => stringOption(Array.isArray(value) ? `${option}[${i}]` : option, v));
}

/** AWS region names such as `eu-west-1`, `us-gov-west-1`. */
export const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
/** S3 bucket names usable in a virtual-hosted-style host name (no dots: TLS would fail). */
export const BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const HOST_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

function hostOption(option: string, value: unknown): string {
  const host = stringOption(option, value);
  if (host.length > 253 || !host.split('.').every((label) => HOST_LABEL.test(label))) {
    throw new ConfigError(option, `'${host}' is not a host name (give the name only: no scheme, port or path)`);
  }
  return host.toLowerCase();
}

function pathOption(option: string, value: unknown): string {
  const path = stringOption(option, value);
  if (!/^(\/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)+$/.test(path)) {
    throw new ConfigError(option, `'${path}' is not an origin path: it starts with '/', does not end with '/' and holds URL path characters only`);
  }
  return path;
}

/** `{ s3: { bucket, region, path? } }` or `{ custom: { domainName, protocol?, port?, path? } }`, copied as plain data. */
export function originOption(option: string, value: unknown): Origin {
  if (!isPlainObject(value)) throw new ConfigError(option, `expected an origin ({ s3: { bucket, region } } or { custom: { domainName } }), got ${repr(value)}`);
  const keys = Object.keys(value);
  if (keys.length !== 1 || (keys[0] !== 's3' && keys[0] !== 'custom') || !isPlainObject(value[keys[0]])) {
    throw new ConfigError(option, 'an origin is either { s3: { bucket, region } } or { custom: { domainName, protocol?, port?, path? } }');
  }
  if (keys[0] === 's3') {
    const s3 = value.s3 as Record<string, unknown>;
    unknownKeys(`${option}.s3`, s3, ['bucket', 'region', 'path']);
    const bucket = stringOption(`${option}.s3.bucket`, s3.bucket);
    if (!BUCKET.test(bucket)) throw new ConfigError(`${option}.s3.bucket`, `'${bucket}' is not an S3 bucket name CloudFront can reach by host name (3-63 of a-z, 0-9, -; no dots)`);
    const region = stringOption(`${option}.s3.region`, s3.region);
    if (!REGION.test(region)) throw new ConfigError(`${option}.s3.region`, `'${region}' is not an AWS region name`);
    const out: { bucket: string; region: string; path?: string } = { bucket, region };
    if (s3.path !== undefined) out.path = pathOption(`${option}.s3.path`, s3.path);
    return { s3: out };
  }
  const custom = value.custom as Record<string, unknown>;
  unknownKeys(`${option}.custom`, custom, ['domainName', 'protocol', 'port', 'path']);
  const out: { domainName: string; protocol?: 'http' | 'https'; port?: number; path?: string } = {
    domainName: hostOption(`${option}.custom.domainName`, custom.domainName),
  };
  if (custom.protocol !== undefined) out.protocol = oneOf(`${option}.custom.protocol`, custom.protocol, ['http', 'https'] as const);
  if (custom.port !== undefined) {
    const port = custom.port;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new ConfigError(`${option}.custom.port`, `expected a port number (1-65535), got ${repr(port)}`);
    }
    out.port = port;
  }
  if (custom.path !== undefined) out.path = pathOption(`${option}.custom.path`, custom.path);
  return { custom: out };
}

function unknownKeys(option: string, value: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (known.indexOf(key) < 0) throw new ConfigError(`${option}.${key}`, `unknown option (expected ${known.join(', ')})`);
  }
}

/** Refuses options the factory does not know: a typo must not silently weaken a security middleware. */
export function knownOptions(value: unknown, known: readonly string[], what: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw new ConfigError('options', `${what} takes an options object, got ${repr(value)}`);
  for (const key of Object.keys(value)) {
    if (known.indexOf(key) < 0) throw new ConfigError(key, `${what} has no such option (it takes ${known.join(', ')})`);
  }
  return value;
}

export function repr(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}
