/**
 * The functions derived code (derive.ts) calls where a rewrite into a property access
 * would not keep the value map's meaning (runtime/value-map.ts, runtime/cff.ts): a name known
 * only at run time, several values, the query string as text, Set-Cookie, an answer built from
 * a variable. ES5, declared once per artifact and only when called. `m` is the map's mode:
 * 1 = names are case-insensitive (headers), 2 = values are URL-encoded (query strings).
 * `cff`, where given, is the code for CloudFront Functions.
 */
export const HELPERS = {
  __edge_dec: {
    uses: [],
    // V8 saves more by the check than it costs; in a CloudFront Function, bytes count more.
    code: "function (v) { if (v.indexOf('%') < 0 && v.indexOf('+') < 0) return v; try { return decodeURIComponent(v.split('+').join(' ')); } catch (e) { return v; } }",
    // split('+') makes a string per '+' (~400 njs instructions each); njs's querystring.unescape
    // turns '+' into ' ' natively, and gives the same result once decodeURIComponent has found
    // every escape valid (it is lenient where decodeURIComponent throws). The cf-target's
    // emulator gives hooks an unescape that does the same. No test for '%' or '+' first: a call
    // costs njs ~870 instructions, two tests about what the decoding does on a plain value.
    cff:
      "function (v) { try { decodeURIComponent(v); } catch (e) { return v; } return require('querystring').unescape(v); }",
  },
  __edge_get: {
    uses: ['__edge_dec'],
    code: 'function (o, n, m) { var e = o[n]; if (e === undefined && m & 1) e = o[n.toLowerCase()]; return e && e.value !== undefined ? (m & 2 ? __edge_dec(e.value) : e.value) : undefined; }',
  },
  __edge_has: {
    uses: [],
    code: 'function (o, n, m) { return o[n] !== undefined || (m & 1 ? o[n.toLowerCase()] !== undefined : false); }',
  },
  __edge_all: {
    uses: ['__edge_dec'],
    code:
      'function (o, n, m) { var e = o[m & 1 ? n.toLowerCase() : n], r = [], l, i; if (e) { l = e.multiValue && e.multiValue.length ? e.multiValue : [e]; ' +
      'for (i = 0; i < l.length; i++) r.push(m & 2 ? __edge_dec(l[i].value) : l[i].value); } return r; }',
  },
  /** getAll of a literal header or cookie name: the entry's values as sent. */
  __edge_allraw: {
    uses: [],
    code: 'function (e) { var r = [], l, i; if (e) { l = e.multiValue && e.multiValue.length ? e.multiValue : [e]; for (i = 0; i < l.length; i++) r.push(l[i].value); } return r; }',
  },
  __edge_set: {
    uses: [],
    code: 'function (o, n, v, m) { if (m & 2) o[n] = { value: encodeURIComponent(v) }; else o[m & 1 ? n.toLowerCase() : n] = { value: v }; }',
  },
  __edge_append: {
    uses: ['__edge_set'],
    code:
      'function (o, n, v, m) { var e = o[m & 1 ? n.toLowerCase() : n]; if (!e || e.value === undefined) return __edge_set(o, n, v, m); ' +
      'if (!e.multiValue || !e.multiValue.length) e.multiValue = [{ value: e.value }]; e.multiValue.push({ value: m & 2 ? encodeURIComponent(v) : v }); }',
  },
  __edge_delete: {
    uses: [],
    code: 'function (o, n, m) { var k = m & 1 ? n.toLowerCase() : n; if (o[k] !== undefined) delete o[k]; }',
  },
  /** The query string rebuilt from the object (value-map.ts toString): parts joined once, `+=` is quadratic in njs. */
  __edge_qs: {
    uses: [],
    code:
      'function (o) { var p = [], n = 0, k, e, l, i, v; for (k in o) { e = o[k]; l = e.multiValue && e.multiValue.length ? e.multiValue : [e]; ' +
      "for (i = 0; i < l.length; i++) p[n++] = (v = l[i].value) !== '' ? k + '=' + v : k; } return p.join('&'); }",
  },
  /** ctx.request.querystring.size(): the values, by property reads only (value-map.ts size). */
  __edge_qsize: {
    uses: [],
    code: 'function (o) { var k = Object.keys(o), n = 0, i, e; for (i = 0; i < k.length; i++) { e = o[k[i]]; if (e && e.value !== undefined) n += e.multiValue && e.multiValue.length ? e.multiValue.length : 1; } return n; }',
  },
  /**
   * The query string as sent, on cloudfront-js-2.0 (runtime/cff.ts requestView): the request's
   * `rawQueryString()` where it has one (a viewer-response event may not), else rebuilt. Used
   * only where no hook of the artifact may change the query string (emit-direct.ts rawQueryReads).
   */
  __edge_rqs: {
    uses: ['__edge_qs'],
    code: "function (r) { return typeof r.rawQueryString === 'function' && r.rawQueryString() || __edge_qs(r.querystring); }",
  },
  __edge_cookie: {
    uses: ['__edge_ck'],
    code:
      "function (c, value) { var semi = value.indexOf(';'), pair = semi < 0 ? value : value.slice(0, semi), eq = pair.indexOf('='), " +
      "k = (eq < 0 ? pair : pair.slice(0, eq)).trim(), v = { value: eq < 0 ? '' : pair.slice(eq + 1).trim() }; if (semi >= 0) v.attributes = value.slice(semi + 1).trim(); " +
      // A name such as `constructor` finds the prototype's: it starts a cookie of its own.
      'if (c[k] !== undefined && c[k].value === undefined) c[k] = v; else __edge_ck(c, k, v); }',
  },
  /**
   * Adds the parsed cookie `v` as `k` (never a prototype's name), after any of that name. An
   * `attributes: undefined` is dropped when the response is serialised, as a hand-written one is.
   */
  __edge_ck: {
    uses: [],
    code:
      'function (c, k, v) { var e = c[k]; if (!e) c[k] = v; else { if (!e.multiValue || !e.multiValue.length) e.multiValue = [{ value: e.value, attributes: e.attributes }]; e.multiValue.push(v); } }',
  },
  __edge_respond: {
    uses: ['__edge_cookie'],
    code:
      "function (a) { var r = { statusCode: a.status, headers: {} }, h = a.headers, n; if (a.statusDescription) r.statusDescription = a.statusDescription; " +
      'if (a.location !== undefined) r.headers.location = { value: a.location }; ' +
      "if (h) for (n in h) { if (n.toLowerCase() === 'set-cookie') __edge_cookie(r.cookies || (r.cookies = {}), h[n]); else r.headers[n.toLowerCase()] = { value: h[n] }; } " +
      "if (a.body !== undefined) r.body = { encoding: 'text', data: a.body }; return r; }",
  },
  /** ctx.kvs(key) on cloudfront-js-2.0 (runtime/cff.ts): the function's store, undefined for a missing key. */
  /** The function's KeyValueStore, for a read derive-cff.ts awaits in a try of its own. */
  __edge_store: {
    uses: [],
    code: 'function () { return cf.kvs(); }',
  },
  __edge_kvs: {
    uses: [],
    code: 'function (k) { return cf.kvs().get(k).then(undefined, function () { return undefined; }); }',
  },
  /** ctx.setOrigin on cloudfront-js-2.0 (runtime/cff.ts cffOriginParams); `cf` is the target's `import cf from 'cloudfront'`. */
  __edge_origin: {
    uses: [],
    code:
      "function (o) { var c, p, t; if ('s3' in o) { c = o.s3; p = { domainName: c.bucket + '.s3.' + c.region + '.amazonaws.com', " +
      "originAccessControlConfig: { enabled: true, region: c.region, signingBehavior: 'always', signingProtocol: 'sigv4', originType: 's3' } }; } " +
      "else { c = o.custom; t = c.protocol || 'https'; p = { domainName: c.domainName, customOriginConfig: { port: c.port || (t === 'https' ? 443 : 80), protocol: t, sslProtocols: ['TLSv1.2'] }, " +
      'originAccessControlConfig: { enabled: false } }; } if (c.path) p.originPath = c.path; cf.updateRequestOrigin(p); }',
  },
  // Lambda@Edge: headers are `{ name: [{ key, value }] }` (runtime/lambda.ts LeHeaderMap). Each
  // takes the lower-cased key when the build knows it (`k`; null: from the name `n`): V8 finds a
  // literal key faster than a string lower-cased per request.
  __edge_lget: {
    uses: [],
    code: 'function (h, k, n) { var l = h[k || n.toLowerCase()]; return l && l.length ? l[0].value : undefined; }',
  },
  __edge_lall: {
    uses: [],
    code: 'function (h, k, n) { var l = h[k || n.toLowerCase()], r = [], i; if (l) for (i = 0; i < l.length; i++) r.push(l[i].value); return r; }',
  },
  __edge_lhas: {
    uses: [],
    code: 'function (h, k, n) { var l = h[k || n.toLowerCase()]; return !!l && l.length > 0; }',
  },
  __edge_lset: {
    uses: [],
    code: 'function (h, k, n, v) { var o = h[k = k || n.toLowerCase()]; h[k] = [{ key: o && o.length && o[0].key ? o[0].key : n, value: v }]; }',
  },
  __edge_lappend: {
    uses: [],
    code: 'function (h, k, n, v) { k = k || n.toLowerCase(); (h[k] || (h[k] = [])).push({ key: n, value: v }); }',
  },
  __edge_ldelete: {
    uses: [],
    code: 'function (h, k, n) { k = k || n.toLowerCase(); if (h[k]) delete h[k]; }',
  },
  /** A query string or Cookie header as `{ name: { value, multiValue } }`, encoded as it came (runtime/lambda.ts parsePairs). */
  __edge_pairs: {
    uses: [],
    code:
      // Derived code only reads the result: one empty map serves every request without a query string.
      "function (raw, sep) { var out, parts, i, part, eq, k, v, e; if (!raw) return __edge_pairs.none || (__edge_pairs.none = Object.freeze(Object.create(null))); " +
      'out = Object.create(null); parts = raw.split(sep); ' +
      "for (i = 0; i < parts.length; i++) { part = sep === '&' ? parts[i] : parts[i].trim(); if (!part) continue; eq = part.indexOf('='); " +
      "k = eq < 0 ? part : part.slice(0, eq); v = eq < 0 ? '' : part.slice(eq + 1); e = out[k]; " +
      'if (!e) out[k] = { value: v }; else (e.multiValue || (e.multiValue = [{ value: e.value }])).push({ value: v }); } return out; }',
  },
  /** The parsed query string to change: never the shared empty one. */
  __edge_lqw: {
    uses: ['__edge_pairs'],
    code: "function (q, raw) { return q && !Object.isFrozen(q) ? q : raw ? __edge_pairs(raw, '&') : Object.create(null); }",
  },
  /** Deletes a query parameter; true when there was one (only then is the query string changed). */
  __edge_qdel: {
    uses: [],
    code: 'function (o, n) { if (o[n] === undefined) return false; delete o[n]; return true; }',
  },
  /**
   * One cookie's value from the Cookie headers, as the parsed map gives it (pieces split at ';'
   * and trimmed, the first of a name): no map of every cookie for one read.
   */
  __edge_lck: {
    uses: [],
    code:
      "function (h, n) { var l = h.cookie, i, j, p, s, e; if (!l) return; for (i = 0; i < l.length; i++) { p = l[i].value.split(';'); " +
      "for (j = 0; j < p.length; j++) { s = p[j].trim(); e = s.indexOf('='); if (s && (e < 0 ? s : s.slice(0, e)) === n) return e < 0 ? '' : s.slice(e + 1); } } }",
  },
  /** The Cookie header's values as one string, without an array for the usual one header. */
  __edge_lcookie: {
    uses: [],
    code: "function (h) { var l = h.cookie, s = '', i; if (!l || !l.length) return s; if (l.length === 1) return l[0].value; for (i = 0; i < l.length; i++) s += (i ? ';' : '') + l[i].value; return s; }",
  },
  /** ctx.setOrigin on Lambda@Edge (runtime/lambda.ts applyOrigin); `t` is the event type. */
  __edge_lorigin: {
    uses: ['__edge_lset'],
    code:
      "function (r, o, t) { var host, c, protocol; if (t !== 'origin-request') throw new Error('setOrigin works only at origin-request on Lambda@Edge'); " +
      "if ('s3' in o) { host = o.s3.bucket + '.s3.' + o.s3.region + '.amazonaws.com'; r.origin = { s3: { domainName: host, region: o.s3.region, authMethod: 'none', path: o.s3.path || '', customHeaders: {} } }; } " +
      "else { c = o.custom; host = c.domainName; protocol = c.protocol || 'https'; r.origin = { custom: { domainName: c.domainName, port: c.port || (protocol === 'https' ? 443 : 80), " +
      "protocol: protocol, path: c.path || '', sslProtocols: ['TLSv1.2'], readTimeout: 30, keepaliveTimeout: 5, customHeaders: {} } }; } " +
      "__edge_lset(r.headers || (r.headers = {}), 'host', 'host', host); }",
  },
  __edge_lrespond: {
    uses: ['__edge_lappend'],
    code:
      "function (a) { var r = { status: String(a.status), headers: {} }, h = a.headers, n; if (a.statusDescription) r.statusDescription = a.statusDescription; " +
      "if (a.location !== undefined) r.headers.location = [{ key: 'Location', value: a.location }]; if (h) for (n in h) __edge_lappend(r.headers, null, n, h[n]); " +
      "if (a.body !== undefined) { r.body = a.body; r.bodyEncoding = 'text'; } return r; }",
  },
} satisfies Record<string, { uses: string[]; code: string; cff?: string }>;

export type Helper = keyof typeof HELPERS;
