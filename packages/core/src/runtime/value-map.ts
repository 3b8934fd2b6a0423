import type { CookieMap, HeaderMap, ParamMap } from '../context.js';
import { safeDecode } from './util.js';

/** `{ name: { value, multiValue? } }`: the CloudFront Functions shape of headers, query strings and cookies. */
export interface CfValue {
  value: string;
  multiValue?: { value: string }[];
}
export type CfValues = Record<string, CfValue>;

/** Called before a change; throws to refuse it (tests and emulators only: artifacts pass none). */
export type ChangeGuard = (name: string, value: string | undefined) => void;

const LOWER = 1;
const DECODE = 2;
export const HEADERS = LOWER;
export const QUERY = DECODE;
export const COOKIES = 0;

export interface ValueMap extends HeaderMap, ParamMap, CookieMap {
  /** The object it edits: in place, or a fresh copy in insertion order after a delete (see `ordered`). */
  readonly o: CfValues;
  /** The object in V8's insertion order, written back through `put` when it had to be rebuilt. */
  ordered(): CfValues;
  /**
   * Set when a write happened, so an untouched query string is given back byte for byte where
   * the runtime has it as sent (rawUntilChanged).
   */
  dirty: boolean;
  /** The query string as text, which toString() gives until `dirty`: as sent (rawUntilChanged) or as setString wrote it. */
  raw?: string;
  /** Set by setString: the adapters hand the text back, not the object, while the map is not `dirty`. */
  replaced?: boolean;
  readonly g: ChangeGuard | undefined;
}

/**
 * One map over the CloudFront Functions value shape. `mode` says whether names are
 * case-insensitive (headers) and whether values are URL-encoded (query strings).
 * Closures rather than a prototype: njs 0.7.9 loses `this` in module code (runtime 2.0
 * functions that import `cloudfront`), and no helper is needed to lower this to ES5.
 * Methods no hook of an artifact calls are left out of it (features.ts).
 */
export function valueMap(o: CfValues, mode: number, g?: ChangeGuard, put?: (o: CfValues) => void): ValueMap {
  // njs (CloudFront Functions) puts a name added back after a delete where it was; V8 (the unit
  // test, Lambda@Edge) puts it last, and the order of a query string or of cookies is what the
  // origin and the cache key see. So after a delete, names added are noted in `j`, and the
  // object is rebuilt in V8's order (once, linear) before its order is read or handed back.
  // Header order means nothing to CloudFront: headers skip this.
  let j: string[] | null = null;
  const deletes = typeof __EDGE_DELETE__ === 'undefined' || __EDGE_DELETE__;
  function added(name: string): void {
    if (j && !Object.prototype.hasOwnProperty.call(o, name)) j.push(name);
  }
  function ordered(): CfValues {
    if (!deletes || !j) return o;
    const last = Object.create(null) as Record<string, number>;
    const n = {} as CfValues;
    let i: number;
    for (i = 0; i < j.length; i++) last[j[i]] = i;
    const ks = Object.keys(o);
    for (i = 0; i < ks.length; i++) if (!(ks[i] in last)) own(n, ks[i], o[ks[i]]);
    for (i = 0; i < j.length; i++) if (last[j[i]] === i && Object.prototype.hasOwnProperty.call(o, j[i])) own(n, j[i], o[j[i]]);
    j = null;
    (map as { o: CfValues }).o = o = n;
    if (put) put(n);
    return n;
  }
  // The hot path of most hooks: no helper call, and `dirty` is only kept for query strings.
  function set(name: string, value: string): void {
    if (g) g(name, value);
    if (deletes && !(mode & LOWER)) added(name);
    if (mode & DECODE) {
      map.dirty = true;
      o[name] = { value: encodeURIComponent(value) };
    } else {
      o[mode & LOWER ? name.toLowerCase() : name] = { value: value };
    }
  }
  const map = { o: o, g: g, dirty: false, ordered: ordered } as ValueMap;
  if (typeof __EDGE_GET__ === 'undefined' || __EDGE_GET__) {
    map.get = function (name) {
      // Hooks mostly pass lower-case names: try as given first, lower-casing costs more than a lookup.
      let e = o[name];
      if (e === undefined && mode & LOWER) e = o[name.toLowerCase()];
      // `constructor` and friends come from the prototype and have no value: absent.
      return e && e.value !== undefined ? outOf(mode, e.value) : undefined;
    };
  }
  if (typeof __EDGE_GET_ALL__ === 'undefined' || __EDGE_GET_ALL__) {
    map.getAll = function (name) {
      const e = o[keyOf(mode, name)];
      const r: string[] = [];
      if (e) {
        const l = listOf(e);
        for (let i = 0; i < l.length; i++) r.push(outOf(mode, l[i].value));
      }
      return r;
    };
  }
  if (typeof __EDGE_HAS__ === 'undefined' || __EDGE_HAS__) {
    map.has = function (name) {
      return o[name] !== undefined || (mode & LOWER ? o[name.toLowerCase()] !== undefined : false);
    };
  }
  if (typeof __EDGE_SET__ === 'undefined' || __EDGE_SET__) map.set = set;
  if (typeof __EDGE_APPEND__ === 'undefined' || __EDGE_APPEND__) {
    map.append = function (name, value) {
      const e = o[keyOf(mode, name)];
      // Never through the prototype (`__proto__`): that would change every object of the script.
      if (!e || e.value === undefined) return set(name, value);
      if (g) g(name, value);
      map.dirty = true;
      if (!e.multiValue || !e.multiValue.length) e.multiValue = [{ value: e.value }];
      e.multiValue.push({ value: mode & DECODE ? encodeURIComponent(value) : value });
    };
  }
  if (typeof __EDGE_DELETE__ === 'undefined' || __EDGE_DELETE__) {
    map.delete = function (name) {
      const k = keyOf(mode, name);
      if (o[k] === undefined) return;
      if (g) g(name, undefined);
      map.dirty = true;
      delete o[k];
      if (!(mode & LOWER) && !j) j = [];
    };
  }
  if (typeof __EDGE_NAMES__ === 'undefined' || __EDGE_NAMES__) {
    map.names = function () {
      return Object.keys(ordered());
    };
  }
  if (typeof __EDGE_SIZE__ === 'undefined' || __EDGE_SIZE__) {
    map.size = function () {
      // Property reads only, no string built (a rebuilt query string costs ~2,000 njs instructions
      // a value; each name read here ~1,500: count names() first where there may be thousands).
      const ks = Object.keys(o);
      let n = 0;
      for (let i = 0; i < ks.length; i++) {
        const e = o[ks[i]];
        if (e && e.value !== undefined) n += e.multiValue && e.multiValue.length ? e.multiValue.length : 1;
      }
      return n;
    };
  }
  if (typeof __EDGE_SET_STRING__ === 'undefined' || __EDGE_SET_STRING__) {
    map.setString = function (text) {
      const n = parsePairs(String(text), '&');
      j = null;
      (map as { o: CfValues }).o = o = n;
      if (put) put(n);
      map.raw = String(text);
      map.replaced = true;
      map.dirty = false;
    };
  }
  if (typeof __EDGE_TO_STRING__ === 'undefined' || __EDGE_TO_STRING__) {
    map.toString = function () {
      if (!map.dirty && map.raw !== undefined) return map.raw;
      // Parts joined once: `s +=` per pair costs more than linear time in njs on long query strings.
      const parts: string[] = [];
      const q = ordered();
      for (const k in q) {
        const l = listOf(q[k]);
        for (let i = 0; i < l.length; i++) parts.push(l[i].value !== '' ? k + '=' + l[i].value : k);
      }
      return parts.join('&');
    };
  }
  return map;
}

/**
 * A query string map whose `toString()` gives `raw`, the query string as the viewer sent it
 * (order, `a=` and empty parts kept), until a hook changes the map (`dirty`); then it is rebuilt
 * from the object. Lambda@Edge always has the raw text; CloudFront Functions has it on
 * cloudfront-js-2.0 (`request.rawQueryString()`), not on 1.0.
 */
export function rawUntilChanged(map: ValueMap, raw: string): ValueMap {
  map.raw = raw;
  return map;
}

/** `a=1&b&a=2` (or `a=1; b=2` with `sep` `;`) as a name -> { value, multiValue } object with no prototype; values as written. */
export function parsePairs(raw: string, sep: string): CfValues {
  // No prototype: `?constructor=1` or `__proto__=x` are names like any other.
  const out: CfValues = Object.create(null);
  if (!raw) return out;
  const parts = raw.split(sep);
  for (let i = 0; i < parts.length; i++) {
    const part = sep === '&' ? parts[i] : parts[i].trim();
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? '' : part.slice(eq + 1);
    const e = out[k];
    if (!e) out[k] = { value: v };
    else (e.multiValue || (e.multiValue = [{ value: e.value }])).push({ value: v });
  }
  return out;
}

/** `n[k] = v`, also for a parameter named `__proto__` (an assignment would set the prototype). */
function own(n: CfValues, k: string, v: CfValue): void {
  if (k === '__proto__') Object.defineProperty(n, k, { value: v, enumerable: true, writable: true, configurable: true });
  else n[k] = v;
}

// Module-level helpers take `mode`, so esbuild drops those only dropped methods use.
function keyOf(mode: number, name: string): string {
  return mode & LOWER ? name.toLowerCase() : name;
}

function outOf(mode: number, v: string): string {
  return mode & DECODE ? safeDecode(v) : v;
}

function listOf(e: CfValue): { value: string }[] {
  return e.multiValue && e.multiValue.length ? e.multiValue : [e];
}
