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
  /** The object it edits in place. */
  readonly o: CfValues;
  /** Set when a write happened, so an untouched Lambda@Edge query string is returned byte for byte. */
  dirty: boolean;
  readonly g: ChangeGuard | undefined;
}

/**
 * One map over the CloudFront Functions value shape. `mode` says whether names are
 * case-insensitive (headers) and whether values are URL-encoded (query strings).
 * Closures rather than a prototype: njs 0.7.9 loses `this` in module code (runtime 2.0
 * functions that import `cloudfront`), and no helper is needed to lower this to ES5.
 * Methods no hook of an artifact calls are left out of it (features.ts).
 */
export function valueMap(o: CfValues, mode: number, g?: ChangeGuard): ValueMap {
  // The hot path of most hooks: no helper call, and `dirty` is only kept for query strings.
  function set(name: string, value: string): void {
    if (g) g(name, value);
    if (mode & DECODE) {
      map.dirty = true;
      o[name] = { value: encodeURIComponent(value) };
    } else {
      o[mode & LOWER ? name.toLowerCase() : name] = { value: value };
    }
  }
  const map = { o: o, g: g, dirty: false } as ValueMap;
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
    };
  }
  if (typeof __EDGE_NAMES__ === 'undefined' || __EDGE_NAMES__) {
    map.names = function () {
      return Object.keys(o);
    };
  }
  if (typeof __EDGE_TO_STRING__ === 'undefined' || __EDGE_TO_STRING__) {
    map.toString = function () {
      let s = '';
      for (const k in o) {
        const l = listOf(o[k]);
        for (let i = 0; i < l.length; i++) s += (s ? '&' : '') + k + (l[i].value !== '' ? '=' + l[i].value : '');
      }
      return s;
    };
  }
  return map;
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
