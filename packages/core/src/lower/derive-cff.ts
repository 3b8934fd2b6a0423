import { GiveUp, lastAct, literalAnswer, REQ, RES, EVT, type ContextUse, type N, type Writer } from './derive-ast.js';

type MapKind = 'headers' | 'querystring' | 'cookies' | 'responseHeaders';
const MODE: Record<MapKind, number> = { headers: 1, querystring: 2, cookies: 0, responseHeaders: 1 };

/**
 * Context uses rewritten for the CloudFront Functions event (runtime/cff.ts, value-map.ts):
 * property reads and writes where they keep the value map's meaning, helpers elsewhere.
 */
export function cffDialect(use: ContextUse, w: Writer): void {
  const { hook, path: p, parts: path, call, args, written, parent, grand } = use;
  const { at, helper, print, slice, staticString } = w;
  if (hook === 'request') {
    if (p === 'eventType' && !written) return at(() => '"viewer-request"');
    if (p === 'requestId' && !written) return at(() => `${EVT}.context.requestId`);
    if (p === 'viewer.ip' && !written) return at(() => `${EVT}.viewer.ip`);
    if (p === 'respond' && call) return at(() => answer(args[0]), call);
    if (p === 'redirect' && call) return at(() => redirectAnswer(args), call);
    // cloudfront-js-2.0 only (the build rejects `origin` on 1.0), where the target imports `cf`.
    if (p === 'setOrigin' && call && args.length === 1) return at(() => `${helper('__edge_origin')}(${print(args[0])})`, call);
    // Likewise a KeyValueStore read (the build allows `kvs` on 2.0 only): undefined for a missing key.
    if (p === 'kvs' && call && args.length === 1) {
      const declaration = awaitedInto(use);
      if (declaration) {
        // `const v = await ctx.kvs(k)` as a hand-writer has it: the read awaited in a try, no
        // promise of a helper's between (a quarter of a small async function's instructions).
        const [statement, name] = declaration;
        const kind = statement.kind === 'var' ? 'var' : 'let';
        return at(() => `${kind} ${name}; try { ${name} = await ${helper('__edge_store')}().get(${print(args[0])}); } catch (e) {}`, statement);
      }
      return at(() => `${helper('__edge_kvs')}(${print(args[0])})`, call);
    }
  } else {
    if (p === 'eventType' && !written) return at(() => '"viewer-response"');
    if ((p === 'response.status' || p === 'response.statusDescription') && !(parent.type === 'UnaryExpression' && parent.operator === 'delete')) {
      return at(() => `${RES}.${p === 'response.status' ? 'statusCode' : 'statusDescription'}`);
    }
    if (path.length === 3 && path[0] === 'response' && path[1] === 'headers' && call) {
      const once = declaredGet('responseHeaders', `${RES}.headers`, path[2], args, call, grand);
      if (once) return at(() => once, grand);
      return at(() => mapCall('responseHeaders', `${RES}.headers`, path[2], args, grand), call);
    }
  }
  if (p === 'viewer.country' && !written) {
    return at(() => `(${REQ}.headers["cloudfront-viewer-country"] && ${REQ}.headers["cloudfront-viewer-country"].value)`);
  }
  if ((p === 'request.uri' || p === 'request.method') && (!written || p === 'request.uri')) return at(() => `${REQ}.${path[1]}`);
  if (path.length === 3 && path[0] === 'request' && call && (path[1] === 'headers' || path[1] === 'cookies') && path[2] === 'getAll') {
    // `getAll('authorization').length` (one value only?): the count, without the list.
    const name = args.length === 1 ? staticString(args[0]) : undefined;
    const key = name === undefined ? undefined : path[1] === 'headers' ? name.toLowerCase() : name;
    if (key !== undefined && !(key in Object.prototype) && grand && grand.type === 'MemberExpression' && grand.object === call && !grand.computed && (grand.property as N).name === 'length') {
      const e = `${REQ}.${path[1]}[${JSON.stringify(key)}]`;
      return at(() => `(${e} ? ${e}.multiValue && ${e}.multiValue.length || 1 : 0)`, grand);
    }
  }
  if (path.length === 3 && path[0] === 'request' && call && (path[1] === 'headers' || path[1] === 'querystring' || path[1] === 'cookies')) {
    const kind = path[1] as MapKind;
    const once = declaredGet(kind, `${REQ}.${kind}`, path[2], args, call, grand);
    if (once) return at(() => once, grand);
    return at(() => mapCall(kind, `${REQ}.${kind}`, path[2], args, grand), call);
  }
  throw new GiveUp();

  /**
   * `const x = map.get('k')`: the entry read once, `e = m["k"], x = e && e.value`, as one writes
   * it by hand (njs reads a property again at full cost). The declarator, or undefined.
   */
  function declaredGet(kind: MapKind, o: string, method: string, args: N[], call: N, declarator: N | undefined): string | undefined {
    if (method !== 'get' || args.length !== 1 || !declarator || declarator.type !== 'VariableDeclarator' || declarator.init !== call) return undefined;
    const id = declarator.id as N;
    const literal = staticString(args[0]);
    if (id.type !== 'Identifier' || literal === undefined) return undefined;
    const key = MODE[kind] & 1 ? literal.toLowerCase() : literal;
    if (key in Object.prototype) return undefined;
    const e = `__edge_${id.name as string}`;
    return `${e} = ${o}[${JSON.stringify(key)}], ${id.name as string} = ${e} && ${MODE[kind] & 2 ? `${helper('__edge_dec')}(${e}.value)` : `${e}.value`}`;
  }

  /** One method call on a header, query string or cookie map, as the value map does it. */
  function mapCall(kind: MapKind, o: string, method: string, args: N[], parent: N | undefined): string {
    const mode = MODE[kind];
    const name = args[0];
    const literal = name && staticString(name);
    const key = literal === undefined ? undefined : mode & 1 ? literal.toLowerCase() : literal;
    // `constructor`, `__proto__`...: the maps look those up with care; so does the helper.
    const plain = key !== undefined && !(key in Object.prototype);
    const setCookie = kind === 'responseHeaders' && (key === 'set-cookie' || key === undefined);
    const statement = parent !== undefined && parent.type === 'ExpressionStatement';
    const effect = (code: string) => (statement ? code : `void (${code})`);
    const arg = (k: number) => (args[k] ? print(args[k]) : 'undefined');
    const at = (k: string) => `${o}[${JSON.stringify(k)}]`;
    if (kind === 'cookies' && method !== 'get' && method !== 'getAll' && method !== 'names') throw new GiveUp();
    // njs puts a deleted name added back where it was, V8 last: the value map keeps V8's order
    // (value-map.ts). A literal name is checked against what the artifact adds (emit-direct.ts).
    if (kind === 'querystring' && method === 'delete' && !plain) throw new GiveUp();
    if (kind === 'querystring' && method === 'toString' && args.length === 0) return `${helper('__edge_qs')}(${o})`;
    if (kind === 'querystring' && method === 'size' && args.length === 0) return `${helper('__edge_qsize')}(${o})`;
    // The text handed to CloudFront as the query string (it takes a string, as AWS's samples do):
    // only as the hook's last act, so nothing here reads the object after it (emit-direct.ts
    // keeps other hooks of the function off it).
    if (kind === 'querystring' && method === 'setString' && args.length === 1 && statement && lastAct(use)) return `${o} = String(${arg(0)})`;
    if (method === 'names' && args.length === 0 && kind !== 'responseHeaders') return `Object.keys(${o})`;
    if (setCookie) {
      // CloudFront Functions keep Set-Cookie in response.cookies (runtime/cff.ts).
      if (key === undefined) throw new GiveUp();
      const cookies = `(${RES}.cookies || (${RES}.cookies = {}))`;
      const parsed = args.length === 2 ? parseSetCookie(staticString(args[1])) : undefined;
      if (method === 'append' && parsed) return effect(`${helper('__edge_ck')}(${cookies}, ${JSON.stringify(parsed.name)}, ${JSON.stringify(parsed.value)})`);
      // `cond ? 'k=a; Path=/' : 'k=b; Path=/'`: one cookie whose value alone is chosen, as one writes it.
      const choice = args.length === 2 ? literalChoice(args[1]) : undefined;
      if (method === 'append' && choice) {
        const value = `{ "value": ${print(choice.test)} ? ${JSON.stringify(choice.a.value.value)} : ${JSON.stringify(choice.b.value.value)}${choice.a.value.attributes === undefined ? '' : `, "attributes": ${JSON.stringify(choice.a.value.attributes)}`} }`;
        return effect(`${helper('__edge_ck')}(${cookies}, ${JSON.stringify(choice.a.name)}, ${value})`);
      }
      if (method === 'set' && parsed) return effect(`${RES}.cookies = { ${JSON.stringify(parsed.name)}: ${JSON.stringify(parsed.value)} }`);
      if (method === 'append' && args.length === 2) return effect(`${helper('__edge_cookie')}(${cookies}, ${arg(1)})`);
      if (method === 'set' && args.length === 2) return effect(`${helper('__edge_cookie')}(${RES}.cookies = {}, ${arg(1)})`);
      if (method === 'delete' && args.length === 1) return effect(`${RES}.cookies = {}`);
      throw new GiveUp();
    }
    const n = arg(0);
    switch (method) {
      case 'get':
        if (args.length !== 1) break;
        if (!plain) return `${helper('__edge_get')}(${o}, ${n}, ${mode})`;
        return `(${at(key!)} && ${mode & 2 ? `${helper('__edge_dec')}(${at(key!)}.value)` : `${at(key!)}.value`})`;
      case 'getAll':
        if (args.length !== 1) break;
        // A literal name of headers or cookies: no lower-casing, no decoding, so no decoder either.
        if (plain && !(mode & 2)) return `${helper('__edge_allraw')}(${at(key!)})`;
        return `${helper('__edge_all')}(${o}, ${n}, ${mode})`;
      case 'has':
        if (args.length !== 1) break;
        if (!plain) return `${helper('__edge_has')}(${o}, ${n}, ${mode})`;
        // Entries are objects: in a test, the minifier drops the `!!`.
        return `!!${at(key!)}`;
      case 'set':
        if (args.length !== 2) break;
        if (!plain) return effect(`${helper('__edge_set')}(${o}, ${n}, ${arg(1)}, ${mode})`);
        return effect(`${at(key!)} = { value: ${mode & 2 ? `encodeURIComponent(${arg(1)})` : arg(1)} }`);
      case 'append':
        if (args.length !== 2) break;
        return effect(`${helper('__edge_append')}(${o}, ${n}, ${arg(1)}, ${mode})`);
      case 'delete':
        if (args.length !== 1) break;
        if (!plain) return effect(`${helper('__edge_delete')}(${o}, ${n}, ${mode})`);
        return effect(`delete ${at(key!)}`);
    }
    throw new GiveUp();
  }

  /** Two Set-Cookie literals of one name and the same attributes, chosen by a test. */
  function literalChoice(n: N): { test: N; a: SetCookie; b: SetCookie } | undefined {
    if (n.type !== 'ConditionalExpression') return undefined;
    const a = parseSetCookie(staticString(n.consequent as N));
    const b = parseSetCookie(staticString(n.alternate as N));
    if (!a || !b || a.name !== b.name || a.value.attributes !== b.value.attributes) return undefined;
    return { test: n.test as N, a, b };
  }

  /** `ctx.respond({ status, headers, body })` as the CloudFront response, built in place when the init is literal. */
  function answer(init: N | undefined): string {
    if (!init) throw new GiveUp();
    const viaHelper = () => `${helper('__edge_respond')}(${print(init)})`;
    const a = literalAnswer(init);
    if (!a) return viaHelper();
    const headers: string[] = [];
    for (const h of a.headers) {
      const k = h.name.toLowerCase();
      // Set-Cookie goes to `cookies`, parsed: the helper does that.
      if (k === 'set-cookie' || k in Object.prototype) return viaHelper();
      headers.push(`${JSON.stringify(k)}: { value: ${print(h.value)} }`);
    }
    return `{ statusCode: ${print(a.status)}, headers: { ${headers.join(', ')} }` +
      (a.statusDescription ? `, statusDescription: ${JSON.stringify(a.statusDescription)}` : '') +
      (a.body ? `, body: { encoding: "text", data: ${slice(a.body)} }` : '') + ' }';
  }

  function redirectAnswer(args: N[]): string {
    if (args.length < 1 || args.length > 2) throw new GiveUp();
    const status = args[1] ? (args[1].type === 'Literal' && args[1].value ? slice(args[1]) : `(${print(args[1])}) || 302`) : '302';
    return `{ headers: { location: { value: ${print(args[0])} } }, statusCode: ${status} }`;
  }
}

/**
 * The declaration `const name = await ctx.kvs(key)` (one declarator, a statement of a block) that
 * holds the read `use`, and its name; undefined for any other place of the read.
 */
function awaitedInto(use: ContextUse): [N, string] | undefined {
  const [call, awaited, declarator, declaration, block] = [use.call, ...use.outer.slice(1, 5)];
  if (!call || !awaited || awaited.type !== 'AwaitExpression' || awaited.argument !== call) return undefined;
  if (!declarator || declarator.type !== 'VariableDeclarator' || declarator.init !== awaited || (declarator.id as N).type !== 'Identifier') return undefined;
  if (!declaration || declaration.type !== 'VariableDeclaration' || (declaration.declarations as N[]).length !== 1) return undefined;
  if (!block || (block.type !== 'BlockStatement' && block.type !== 'Program')) return undefined;
  return [declaration, (declarator.id as N).name as string];
}

/** A Set-Cookie value known at build time, split as the runtime splits it (runtime/cff.ts appendCookie). */
type SetCookie = { name: string; value: { value: string; attributes?: string } };
function parseSetCookie(value: string | undefined): SetCookie | undefined {
  if (value === undefined) return undefined;
  const semi = value.indexOf(';');
  const pair = semi < 0 ? value : value.slice(0, semi);
  const eq = pair.indexOf('=');
  const name = (eq < 0 ? pair : pair.slice(0, eq)).trim();
  if (name in Object.prototype) return undefined;
  const v: { value: string; attributes?: string } = { value: eq < 0 ? '' : pair.slice(eq + 1).trim() };
  if (semi >= 0) v.attributes = value.slice(semi + 1).trim();
  return { name, value: v };
}

const APPEND = /__edge_ck\(\(__s\.cookies \|\| \(__s\.cookies = \{\}\)\), ("(?:[^"\\]|\\.)*"), (\{(?:"(?:[^"\\]|\\.)*"|[^"{}])*\})\)/g;

/**
 * Derived response hooks as they run, in a viewer-request function, on an answer made there
 * without cookies: each Set-Cookie append (`__edge_ck`) of a name no other append of these
 * hooks uses is a plain property then, and a lone one the whole `cookies` object, as a
 * hand-written function sets it. `undefined` when a hook does more with `response.cookies`.
 */
export function appendsToFreshCookies(sources: readonly string[]): string[] | undefined {
  const names = new Set<string>();
  let appends = 0;
  for (const source of sources) {
    const found = [...source.matchAll(APPEND)];
    if (source.split('__s.cookies').length - 1 !== 2 * found.length) return undefined;
    for (const [, name] of found) {
      if (names.has(name)) return undefined;
      names.add(name);
    }
    appends += found.length;
  }
  if (!appends) return undefined;
  return sources.map((source) =>
    source.replace(APPEND, (_all, name: string, value: string) => (appends === 1 ? `__s.cookies = { ${name}: ${value} }` : `(__s.cookies || (__s.cookies = {}))[${name}] = ${value}`)),
  );
}
