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
 */
export function valueMap(o: CfValues, mode: number, g?: ChangeGuard): ValueMap {
  function key(name: string): string {
    return mode & LOWER ? name.toLowerCase() : name;
  }
  function out(v: string): string {
    return mode & DECODE ? safeDecode(v) : v;
  }
  function list(e: CfValue): { value: string }[] {
    return e.multiValue && e.multiValue.length ? e.multiValue : [e];
  }
  function set(name: string, value: string): void {
    if (g) g(name, value);
    map.dirty = true;
    o[key(name)] = { value: mode & DECODE ? encodeURIComponent(value) : value };
  }
  const map: ValueMap = {
    o: o,
    g: g,
    dirty: false,
    get: function (name) {
      const e = o[key(name)];
      return e ? out(e.value) : undefined;
    },
    getAll: function (name) {
      const e = o[key(name)];
      const r: string[] = [];
      if (e) {
        const l = list(e);
        for (let i = 0; i < l.length; i++) r.push(out(l[i].value));
      }
      return r;
    },
    has: function (name) {
      return o[key(name)] !== undefined;
    },
    set: set,
    append: function (name, value) {
      const e = o[key(name)];
      if (!e) return set(name, value);
      if (g) g(name, value);
      map.dirty = true;
      if (!e.multiValue || !e.multiValue.length) e.multiValue = [{ value: e.value }];
      e.multiValue.push({ value: mode & DECODE ? encodeURIComponent(value) : value });
    },
    delete: function (name) {
      const k = key(name);
      if (o[k] === undefined) return;
      if (g) g(name, undefined);
      map.dirty = true;
      delete o[k];
    },
    names: function () {
      return Object.keys(o);
    },
    toString: function () {
      let s = '';
      for (const k in o) {
        const l = list(o[k]);
        for (let i = 0; i < l.length; i++) s += (s ? '&' : '') + k + (l[i].value !== '' ? '=' + l[i].value : '');
      }
      return s;
    },
  };
  return map;
}
