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

/**
 * One map over the CloudFront Functions value shape. `mode` says whether names are
 * case-insensitive (headers) and whether values are URL-encoded (query strings).
 * Written without spread, for...of or classes with inheritance so that it lowers to ES5 without helpers.
 */
export class ValueMap implements HeaderMap, ParamMap, CookieMap {
  /** Set when a write happened, so an untouched Lambda@Edge query string is returned byte for byte. */
  dirty = false;
  constructor(
    public o: CfValues,
    public m: number,
    public g?: ChangeGuard,
  ) {}

  k(name: string): string {
    return this.m & LOWER ? name.toLowerCase() : name;
  }

  get(name: string): string | undefined {
    const e = this.o[this.k(name)];
    if (!e) return undefined;
    return this.m & DECODE ? safeDecode(e.value) : e.value;
  }

  getAll(name: string): string[] {
    const e = this.o[this.k(name)];
    const out: string[] = [];
    if (!e) return out;
    const list = e.multiValue && e.multiValue.length ? e.multiValue : [e];
    for (let i = 0; i < list.length; i++) out.push(this.m & DECODE ? safeDecode(list[i].value) : list[i].value);
    return out;
  }

  has(name: string): boolean {
    return this.o[this.k(name)] !== undefined;
  }

  set(name: string, value: string): void {
    if (this.g) this.g(name, value);
    this.dirty = true;
    this.o[this.k(name)] = { value: this.m & DECODE ? encodeURIComponent(value) : value };
  }

  append(name: string, value: string): void {
    if (this.g) this.g(name, value);
    const k = this.k(name);
    const e = this.o[k];
    if (!e) return this.set(name, value);
    this.dirty = true;
    const v = this.m & DECODE ? encodeURIComponent(value) : value;
    if (!e.multiValue || !e.multiValue.length) e.multiValue = [{ value: e.value }];
    e.multiValue.push({ value: v });
  }

  delete(name: string): void {
    const k = this.k(name);
    if (this.o[k] === undefined) return;
    if (this.g) this.g(name, undefined);
    this.dirty = true;
    delete this.o[k];
  }

  names(): string[] {
    return Object.keys(this.o);
  }

  toString(): string {
    let s = '';
    for (const k in this.o) {
      const e = this.o[k];
      const list = e.multiValue && e.multiValue.length ? e.multiValue : [e];
      for (let i = 0; i < list.length; i++) s += (s ? '&' : '') + k + (list[i].value !== '' ? '=' + list[i].value : '');
    }
    return s;
  }
}
