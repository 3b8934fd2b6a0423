import type { EventType, RequestEventType, ResponseEventType } from './capability.js';

/**
 * Case-insensitive headers over the event's own representation (CloudFront Functions
 * `{ name: { value, multiValue } }` or Lambda@Edge `{ name: [{ key, value }] }`).
 * Repeated values are kept apart; `getAll` returns each one.
 */
export interface HeaderMap {
  get(name: string): string | undefined;
  getAll(name: string): string[];
  has(name: string): boolean;
  /** Replaces every value of `name`. */
  set(name: string, value: string): void;
  append(name: string, value: string): void;
  delete(name: string): void;
  /** Lower-case names present. */
  names(): string[];
}

/** Query string parameters. Values are decoded on read (a bad escape such as `%zz` is returned as is). */
export interface ParamMap {
  get(name: string): string | undefined;
  getAll(name: string): string[];
  has(name: string): boolean;
  set(name: string, value: string): void;
  append(name: string, value: string): void;
  delete(name: string): void;
  names(): string[];
  /** The encoded query string without `?`; repeated keys are kept in order. */
  toString(): string;
  /**
   * Replaces the whole query string with `query` (encoded, without `?`), sent to the origin as
   * written: the one way to give CloudFront Functions a parameter order (njs orders an object of
   * more than 10 names by hash). Reads and later changes see its parameters.
   */
  setString(query: string): void;
  /** How many parameters there are, each value of a repeated name counted (cheaper than reading them). */
  size(): number;
}

/** Request cookies, read-only (set cookies on the response through `set-cookie`). */
export interface CookieMap {
  get(name: string): string | undefined;
  getAll(name: string): string[];
  names(): string[];
}

/** A Lambda@Edge request body (only with includeBody). `data` is as CloudFront sends it. */
export interface RequestBody {
  data: string;
  encoding: 'base64' | 'text';
  inputTruncated: boolean;
}

export interface EdgeRequest {
  readonly method: string;
  uri: string;
  readonly querystring: ParamMap;
  readonly headers: HeaderMap;
  readonly cookies: CookieMap;
  /** Present on Lambda@Edge request events when the trigger includes the body. */
  readonly body: RequestBody | undefined;
}

export interface EdgeResponse {
  status: number;
  statusDescription: string | undefined;
  readonly headers: HeaderMap;
}

export interface Viewer {
  readonly ip: string;
  /** Upper-case ISO code from `cloudfront-viewer-country`, when CloudFront sends it. */
  readonly country: string | undefined;
}

export type RedirectStatus = 301 | 302 | 307 | 308;

/**
 * A response a request hook answers with: the rest of the request phase is skipped.
 * Plain data, built by `ctx.respond` or `ctx.redirect` (which sets `location`), so that
 * answering costs one small object at the edge.
 */
export interface Answer {
  readonly status: number;
  /** Optional for CloudFront; left out unless given. */
  readonly statusDescription?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** The `location` header, as `ctx.redirect` gives it. */
  readonly location?: string;
}

export interface AnswerInit {
  status: number;
  statusDescription?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** An S3 origin (REST endpoint). */
export type S3Origin = {
  s3: { bucket: string; region: string; path?: string };
};
/** A custom origin (any HTTP server). */
export type CustomOrigin = {
  custom: { domainName: string; protocol?: 'http' | 'https'; port?: number; path?: string };
};
export type Origin = S3Origin | CustomOrigin;

interface BaseContext {
  readonly eventType: EventType;
  readonly request: EdgeRequest;
  readonly viewer: Viewer;
  /** CloudFront's id for this request (for logs), when the event carries it. */
  readonly requestId: string | undefined;
  /** Builds an answer; return it from a request hook. */
  respond(init: AnswerInit): Answer;
  /** A redirect answer (`location` as given, status 302 unless said). */
  redirect(location: string, status?: RedirectStatus): Answer;
}

export interface RequestContext extends BaseContext {
  readonly eventType: RequestEventType;
  /** Sends the request to another origin (needs the `origin` capability). */
  setOrigin(origin: Origin): void;
  /**
   * Reads a key of the function's KeyValueStore (needs the `kvs` capability, cloudfront-js-2.0);
   * undefined for a missing key.
   */
  kvs(key: string): Promise<string | undefined>;
}

export interface ResponseContext extends BaseContext {
  readonly eventType: ResponseEventType;
  readonly response: EdgeResponse;
}

/** What a request hook may return: nothing to go on, an answer to stop (or a promise of either where `async` is declared). */
export type RequestHookResult = Answer | void | undefined;
