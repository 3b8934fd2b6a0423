import { GiveUp, lastAct, literalAnswer, REQ, RES, EVT, type ContextUse, type N, type Writer } from './derive-ast.js';
import type { Helper } from './derive-helpers.js';

/**
 * Context uses rewritten for the Lambda@Edge event (runtime/lambda.ts): headers through small
 * helpers with LeHeaderMap's meaning, the query string and cookies read from their raw text,
 * answers in the Lambda@Edge shape; a change to the query string is written back as the hook
 * returns.
 */
export function lambdaDialect(use: ContextUse, w: Writer): void {
  const { hook, path: p, parts: path, call, args, written, parent, grand } = use;
  const { at, helper, print, slice } = w;
  const cf = `${EVT}.Records[0].cf`;
  if (hook === 'request') {
    if (p === 'eventType' && !written) return at(() => `${cf}.config.eventType`);
    if (p === 'requestId' && !written) return at(() => `${cf}.config.requestId`);
    if (p === 'respond' && call) return at(() => lambdaAnswer(args[0]), call);
    if (p === 'redirect' && call) return at(() => lambdaRedirect(args), call);
    if (p === 'setOrigin' && call && args.length === 1) return at(() => `${helper('__edge_lorigin')}(${REQ}, ${print(args[0])}, ${cf}.config.eventType)`, call);
  } else {
    if (p === 'response.status' && !written) return at(() => `parseInt(${RES}.status, 10)`);
    // The status is a string in the event: a plain assignment, as a statement, keeps it one.
    if (p === 'response.status' && parent.type === 'AssignmentExpression' && parent.operator === '=' && grand && grand.type === 'ExpressionStatement') {
      const right = parent.right as N;
      return at(() => `${RES}.status = String(${print(right)})`, parent);
    }
    if (p === 'response.statusDescription' && !written) return at(() => `${RES}.statusDescription`);
    if (path.length === 3 && path[0] === 'response' && path[1] === 'headers' && call) {
      return at(() => lambdaHeaders(`${RES}.headers`, path[2], args), call);
    }
  }
  if (p === 'viewer.ip' && !written) return at(() => `${REQ}.clientIp`);
  if (p === 'viewer.country' && !written) return at(() => `${helper('__edge_lget')}(${REQ}.headers, "cloudfront-viewer-country", null)`);
  if ((p === 'request.uri' || p === 'request.method') && (!written || p === 'request.uri')) return at(() => `${REQ}.${path[1]}`);
  if (path.length === 3 && path[0] === 'request' && call) {
    if (path[1] === 'headers') return at(() => lambdaHeaders(`${REQ}.headers`, path[2], args), call);
    if (path[1] === 'querystring') {
      if (hook === 'request' && (path[2] === 'set' || path[2] === 'append' || path[2] === 'delete')) {
        w.local('__edge_lq');
        w.local('__edge_lqd');
        w.onExit(`__edge_lqd && (${REQ}.querystring = ${helper('__edge_qs')}(__edge_lq))`);
        return at(() => queryWrite(path[2], args), call);
      }
      // The text CloudFront gets, as the hook's last act: no parsed copy of this hook's is written back after it.
      if (hook === 'request' && path[2] === 'setString' && args.length === 1 && grand && grand.type === 'ExpressionStatement' && lastAct(use)) {
        return at(() => `${w.has('__edge_lqd') ? '__edge_lqd = false, ' : ''}${REQ}.querystring = String(${print(args[0])})`, call);
      }
      if (path[2] === 'toString' && !args.length) {
        // As the context's: the string as it came until this hook changes a parameter.
        return at(() => (w.has('__edge_lqd') ? `(__edge_lqd ? ${helper('__edge_qs')}(__edge_lq) : (${REQ}.querystring || ""))` : `(${REQ}.querystring || "")`), call);
      }
      // Parsed once per call of the hook, as the context parses it once per request.
      return at(() => pairsCall(`(${w.local('__edge_lq')} || (__edge_lq = ${helper('__edge_pairs')}(${REQ}.querystring, "&")))`, 2, path[2], args), call);
    }
    if (path[1] === 'cookies') {
      const literal = args.length === 1 ? w.staticString(args[0]) : undefined;
      if (literal !== undefined && path[2] === 'get') return at(() => `${helper('__edge_lck')}(${REQ}.headers, ${JSON.stringify(literal)})`, call);
      const parse = `${helper('__edge_pairs')}(${helper('__edge_lcookie')}(${REQ}.headers), ";")`;
      return at(() => pairsCall(`(${w.local('__edge_lc')} || (__edge_lc = ${parse}))`, 0, path[2], args), call);
    }
  }
  throw new GiveUp();

  /**
   * A header map call. With a name known at build time it is written out at the call site:
   * a literal key keeps V8's property access monomorphic, where one helper shared by every call
   * site turns megamorphic (~50 ns a call). `__edge_t`/`__edge_v` hold a value within one
   * expression (an argument is evaluated before the temporary is set, so nesting is safe).
   */
  function lambdaHeaders(h: string, method: string, args: N[]): string {
    const arity: Record<string, number> = { get: 1, getAll: 1, has: 1, set: 2, append: 2, delete: 1, names: 0 };
    if (!(method in arity) || args.length !== arity[method]) throw new GiveUp();
    if (method === 'names') return `Object.keys(${h})`;
    const literal = w.staticString(args[0]);
    const lower = literal === undefined ? undefined : literal.toLowerCase();
    if (lower !== undefined && lower !== '' && !(lower in Object.prototype) && method !== 'getAll') {
      const at = `${h}[${JSON.stringify(lower)}]`;
      const t = w.local('__edge_t');
      const v = method === 'set' || method === 'append' ? `${w.local('__edge_v')} = ${print(args[1])}, ` : '';
      switch (method) {
        case 'get':
          return `((${t} = ${at}) && ${t}.length ? ${t}[0].value : undefined)`;
        case 'has':
          return `(!!(${t} = ${at}) && ${t}.length > 0)`;
        case 'set':
          return `void (${v}${t} = ${at}, ${at} = [{ key: ${t} && ${t}.length && ${t}[0].key ? ${t}[0].key : ${JSON.stringify(literal)}, value: __edge_v }])`;
        case 'append':
          return `void (${v}(${at} || (${at} = [])).push({ key: ${JSON.stringify(literal)}, value: __edge_v }))`;
        case 'delete':
          return `void delete ${at}`;
      }
    }
    const name = { get: 'lget', getAll: 'lall', has: 'lhas', set: 'lset', append: 'lappend', delete: 'ldelete' }[method] as string;
    const key = lower !== undefined && lower !== '' && !(lower in Object.prototype) ? JSON.stringify(lower) : 'null';
    return `${helper(`__edge_${name}` as Helper)}(${h}, ${key}, ${args.map(print).join(', ')})`;
  }

  /**
   * A change to the query string: made to this hook's parsed copy, marked, and written back as
   * the hook returns (Writer.onExit), so the next hook, the answer's response hooks and
   * CloudFront see it, as they see the context's once per request.
   */
  function queryWrite(method: string, args: N[]): string {
    if (args.length !== (method === 'delete' ? 1 : 2)) throw new GiveUp();
    const q = `(__edge_lq = ${helper('__edge_lqw')}(__edge_lq, ${REQ}.querystring))`;
    const a = args.map(print).join(', ');
    if (method === 'delete') return `void (${helper('__edge_qdel')}(${q}, ${a}) && (__edge_lqd = true))`;
    return `void (__edge_lqd = true, ${helper(method === 'set' ? '__edge_set' : '__edge_append')}(${q}, ${a}, 2))`;
  }

  /** A read of a parsed query string or Cookie header, as the value map reads it. */
  function pairsCall(pairs: string, mode: number, method: string, args: N[]): string {
    if (method === 'names' && !args.length) return `Object.keys(${pairs})`;
    if (args.length !== 1) throw new GiveUp();
    const literal = w.staticString(args[0]);
    if (literal !== undefined && !(literal in Object.prototype) && (method === 'get' || method === 'has')) {
      const t = w.local('__edge_t');
      const at = `${pairs}[${JSON.stringify(literal)}]`;
      if (method === 'has' && mode === 2) return `(${at} !== undefined)`;
      if (method === 'get') return `((${t} = ${at}) !== undefined ? ${mode & 2 ? `${helper('__edge_dec')}(${t}.value)` : `${t}.value`} : undefined)`;
    }
    if (method === 'get') return `${helper('__edge_get')}(${pairs}, ${print(args[0])}, ${mode})`;
    if (method === 'getAll') return `${helper('__edge_all')}(${pairs}, ${print(args[0])}, ${mode})`;
    if (method === 'has' && mode === 2) return `${helper('__edge_has')}(${pairs}, ${print(args[0])}, ${mode})`;
    throw new GiveUp();
  }

  /** `ctx.respond({...})` as the Lambda@Edge response (runtime/lambda.ts leAnswer). */
  function lambdaAnswer(init: N | undefined): string {
    if (!init) throw new GiveUp();
    const fallback = () => `${helper('__edge_lrespond')}(${print(init)})`;
    const a = literalAnswer(init);
    if (!a) return fallback();
    const s = a.status;
    const status = s.type === 'Literal' && typeof s.value === 'number' ? JSON.stringify(String(s.value)) : `String(${print(s)})`;
    const seen = new Set<string>();
    const headers: string[] = [];
    for (const h of a.headers) {
      const lower = h.name.toLowerCase();
      // Two names for one header append in the adapter: the helper does that.
      if (seen.has(lower) || lower in Object.prototype) return fallback();
      seen.add(lower);
      headers.push(`${JSON.stringify(lower)}: [{ key: ${JSON.stringify(h.name)}, value: ${print(h.value)} }]`);
    }
    return `{ status: ${status}, headers: { ${headers.join(', ')} }` +
      (a.statusDescription ? `, statusDescription: ${JSON.stringify(a.statusDescription)}` : '') +
      (a.body ? `, body: ${slice(a.body)}, bodyEncoding: "text"` : '') + ' }';
  }

  function lambdaRedirect(args: N[]): string {
    if (args.length < 1 || args.length > 2) throw new GiveUp();
    const s = args[1];
    const status = !s ? '"302"' : s.type === 'Literal' && typeof s.value === 'number' && s.value ? JSON.stringify(String(s.value)) : `String((${print(s)}) || 302)`;
    return `{ headers: { location: [{ key: "Location", value: ${print(args[0])} }] }, status: ${status} }`;
  }
}
