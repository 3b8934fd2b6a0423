import { parse } from 'acorn';
import { simple } from 'acorn-walk';
import type { EventType, RequestEventType } from '../capability.js';
import { isRequestEvent } from '../capability.js';
import type { Placement } from '../check.js';
import type { AnswerInit } from '../context.js';
import type { DirectHooks } from '../middleware.js';
import { NotPortableError } from '../errors.js';
import { configLiteral, portableSource } from '../portable.js';
import { respond } from '../runtime/answer.js';
import { cffAnswer } from '../runtime/cff.js';
import { leAnswer } from '../runtime/lambda.js';
import { DEFAULT_CF_RUNTIME, type CfRuntime } from '../target.js';
import { hoistRequires, skipsResponse, type EmittedHandler, type EmittedHook, type Shape } from './emit.js';
import { hoistRegexLiterals, regexLiteralsFromStrings } from './hoist-regex.js';
import { deriveHooks } from './derive.js';
import { HELPERS } from './derive-helpers.js';
import { appendsToFreshCookies } from './derive-cff.js';
import { answersThrough, inlineBody, neverAnswers, returningResponse } from './inline.js';
import { inlineChain, mergeSameAnswers, shareMember } from './inline-chain.js';

export interface EmitDirectOptions {
  placements: readonly Placement[];
  eventType: EventType;
  shape: Shape;
  /** The CloudFront Functions runtime (cff shape). */
  runtime?: CfRuntime;
}

interface Used extends EmittedHook {
  safe: boolean;
  /** Lowered from the hook's source (derive.ts), not the middleware's own code. */
  derived: boolean;
}

/** Where each shape keeps the request and the response in its event, and how it answers. */
const SHAPES = {
  cff: {
    events: ['viewer-request', 'viewer-response'] as readonly EventType[],
    request: 'event.request',
    response: 'event.response',
    answer: (init: AnswerInit): object => cffAnswer(respond(init)),
  },
  lambda: {
    events: ['viewer-request', 'origin-request', 'origin-response', 'viewer-response'] as readonly EventType[],
    request: 'event.Records[0].cf.request',
    response: 'event.Records[0].cf.response',
    answer: (init: AnswerInit): object => leAnswer(respond(init)),
  },
};

/**
 * The handler of an event type whose every hook has a direct lowering for the shape
 * (DirectHooks): the hooks get the event's own objects, so no context is built per request.
 * `undefined` when one hook has none; the caller then emits the context-based handler.
 * Behaviour is the same as emitHandler's: errors are logged and the request goes on (or the
 * middleware's onError answer, else 502), and an answer passes through the response hooks of
 * the middleware before the one that answered. Hooks that cannot throw (`safe`) get no
 * try/catch, and a single one becomes the handler's body, as an expert would write it.
 */
export function emitDirect(options: EmitDirectOptions): EmittedHandler | undefined {
  const { placements, eventType, shape } = options;
  if (SHAPES[shape].events.indexOf(eventType) < 0) return undefined;
  const lowered = new Map<number, DirectHooks | undefined>();
  const derivedAt = new Set<number>();
  const used: Used[] = [];
  const constants = new Map<string, string>();
  const modules = new Map<string, string>();
  const regexes = new Map<string, string>();
  const helpers = new Map<string, string>();
  const use = (p: Placement, hook: 'request' | 'response'): Used | undefined => {
    if (!lowered.has(p.index)) {
      const direct = p.middleware.direct;
      const config = p.middleware.config;
      // A middleware without code of its own for the shape gets one derived from its hooks, when they allow it.
      const own = shape === 'cff' ? direct.cff && direct.cff(config, options.runtime ?? DEFAULT_CF_RUNTIME) : direct.lambda && direct.lambda(config);
      lowered.set(p.index, own || deriveHooks(p.middleware, shape));
      if (!own) derivedAt.add(p.index);
    }
    const d = lowered.get(p.index);
    const text = d && d[hook];
    if (!d || text === undefined) return undefined;
    const name = `__edge_${hook === 'request' ? 'q' : 's'}${p.index}`;
    let u = used.find((h) => h.name === name);
    if (!u) {
      const rename: Record<string, string> = {};
      for (const key in d.constants) {
        // `__edge_`: the cf-target gives such names short ones after minifying.
        rename[key] = `__edge_${key}${p.index}`;
        constants.set(rename[key], configLiteral(p.middleware.name, d.constants[key]));
      }
      for (const key in d.helpers) {
        rename[key] = key;
        const code = `function ${key}${d.helpers[key].replace(/^function\s*/, '')}`;
        if (helpers.has(key) && helpers.get(key) !== code) throw new NotPortableError(p.middleware.name, `its direct code declares the helper '${key}' unlike another middleware`);
        helpers.set(key, code);
      }
      for (const key in d.sets) {
        if (shape === 'cff') throw new NotPortableError(p.middleware.name, `its direct CloudFront code asks for the Set '${key}', which runtime 1.0 lacks: use constants`);
        rename[key] = `__${key}${p.index}`;
        constants.set(rename[key], `new Set(${configLiteral(p.middleware.name, d.sets[key] as string[])})`);
      }
      let source = regexLiteralsFromStrings(portableSource(p.middleware.name, hook, text, rename));
      if (shape === 'lambda') source = hoistRegexLiterals(hoistRequires(source, modules), regexes);
      u = { middleware: p.middleware.name, index: p.index, hook, name, source, safe: typeof d.safe === 'object' ? d.safe[hook] === true : d.safe === true, derived: derivedAt.has(p.index) };
      used.push(u);
    }
    return u;
  };
  const body = isRequestEvent(eventType)
    ? requestHandler(placements, eventType, shape, use)
    : responseHandler(placements, eventType, shape, use);
  if (body === undefined) return undefined;
  if (!awaitAsyncHooks(body, used)) return undefined;
  if (shape === 'cff' && readdsDeletedParam(used.map((u) => u.source))) return undefined;
  if (shape === 'cff' && !queryReplacedAlone(used)) return undefined;
  if (shape === 'cff' && options.runtime === 'cloudfront-js-2.0') {
    const raw = rawQueryReads(used);
    if (raw === undefined) return undefined;
    if (raw && isRequestEvent(eventType)) {
      // Every viewer request of runtime 2.0 has rawQueryString() (undefined without a '?').
      body.code = body.code.replace(QUERY_TEXT, '($1.rawQueryString() || "")');
      for (const u of used) u.source = u.source.replace(QUERY_TEXT, '($1.rawQueryString() || "")');
    } else if (raw) {
      body.code = body.code.replace(QUERY_TEXT, '__edge_rqs($1)');
      for (const u of used) u.source = u.source.replace(QUERY_TEXT, '__edge_rqs($1)');
      helpers.set('__edge_rqs', `function __edge_rqs${HELPERS.__edge_rqs.code.replace(/^function\s*/, '')}`);
    }
  }
  const hooks: EmittedHook[] = used.map(({ safe: _safe, derived: _derived, ...h }) => h);
  // Only what the handler reaches is declared: a response hook kept for answers no hook here
  // makes, and the helpers and constants only it used, would be dead bytes.
  const declared = (body.inlined ? (body.keep ?? []) : hooks).filter((h) => mentions(body.code, h.name));
  const reached = [body.code, ...declared.map((h) => h.source)];
  const declarations =
    [...modules].filter(([, id]) => reached.some((c) => mentions(c, id))).map(([module, id]) => `var ${id} = require(${JSON.stringify(module)});\n`).join('') +
    [...constants].filter(([name]) => reached.some((c) => mentions(c, name))).map(([name, literal]) => `var ${name} = ${literal};\n`).join('') +
    [...regexes].filter(([, name]) => reached.some((c) => mentions(c, name))).map(([literal, name]) => `var ${name} = ${literal};\n`).join('') +
    called(helpers, reached).map((code) => `${code}\n`).join('') +
    declared.map((h) => `${declaration(h)}\n`).join('\n');

  // The hooks the artifact holds (the size table counts them): a response hook kept for answers is
  // there only where the handler calls it.
  const present = hooks.filter((h) => !(isRequestEvent(eventType) && h.hook === 'response') || declared.some((d) => d.name === h.name));
  return { glue: `export ${body.code}`, declarations, hooks: present, selfContained: true };
}

/**
 * An async hook (a derived 2.0 request hook reading KeyValueStore): the handler is async and
 * awaits each call of it; where the call is in a helper function that is not async (answers
 * through response hooks), false: the context-based handler awaits it instead.
 */
function awaitAsyncHooks(body: Body, used: readonly Used[]): boolean {
  const async = used.filter((u) => /^async\s/.test(u.source));
  if (!async.length) return true;
  // The handler comes first, its helpers (error log, answers) after its closing brace.
  const end = body.code.indexOf('\n}\n');
  let handler = end < 0 ? body.code : body.code.slice(0, end + 3);
  const rest = end < 0 ? '' : body.code.slice(end + 3);
  if (async.some((u) => u.hook !== 'request' || mentions(rest, u.name)) || !/^function handler\(/.test(handler)) return false;
  handler = `async ${handler}`;
  for (const u of async) handler = handler.split(`${u.name}(`).join(`await ${u.name}(`);
  body.code = handler + rest;
  return true;
}

/** Whether code names an identifier (not as part of a longer one). */
function mentions(code: string, name: string): boolean {
  return new RegExp(`(?<![\\w$])${name.replace(/\$/g, '\\$')}(?![\\w$])`).test(code);
}

/**
 * When every answer of a viewer-request function is made without cookies (derived hooks give
 * literal answers, no error answer has Set-Cookie), the response hooks that run on them
 * append a cookie as a plain property, with no helper (appendsToFreshCookies).
 */
function freshCookiesOnAnswers(here: readonly Placement[], q: Used[], s: Used[]): void {
  if (!s.length || !s.every((h) => h.derived) || !q.every((h) => h.derived && !/\b__edge_respond\(/.test(h.source))) return;
  const errorAnswers = [{ status: 502 }, ...here.map((p) => p.middleware.onError).filter((a) => a !== undefined)];
  if (errorAnswers.some((a) => 'cookies' in cffAnswer(respond(a)))) return;
  const fresh = appendsToFreshCookies(s.map((h) => h.source));
  if (fresh) s.forEach((h, i) => (h.source = fresh[i]));
}

/** The helpers `code` calls, and those they call: a script's unused functions stay in it. */
function called(helpers: ReadonlyMap<string, string>, code: readonly string[]): string[] {
  const needed = new Set<string>();
  const scan = (text: string) => {
    for (const [name, helper] of helpers) {
      if (!needed.has(name) && new RegExp(`\\b${name}\\b`).test(text)) {
        needed.add(name);
        scan(helper);
      }
    }
  };
  code.forEach(scan);
  return [...helpers].filter(([name]) => needed.has(name)).map(([, helper]) => helper);
}

/** A function declaration where the source allows it: a few bytes less than `var name = function`. */
function declaration(h: EmittedHook): string {
  const source = h.hook === 'response' ? shareResponseHeaders(h.source) : h.source;
  const m = /^(async\s+)?function\s*\(/.exec(source);
  return m ? `${m[1] ? 'async ' : ''}function ${h.name}${source.replace(/^(async\s+)?function\s*/, '')}` : `var ${h.name} = ${source};`;
}

/** A derived response hook that writes several headers reads `response.headers` once, as a hand-writer's `var h`. */
function shareResponseHeaders(source: string): string {
  const m = /^(function\s*\(__s(?:,\s*__r)?\)\s*\{)([\s\S]*)\}\s*$/.exec(source);
  if (!m) return source;
  const { chain, declare } = shareMember(m[2], '__s', 'headers', '__edge_h');
  return declare ? `${m[1]}\n  var __edge_h = __s.headers;${chain}}` : source;
}

type Use = (p: Placement, hook: 'request' | 'response') => Used | undefined;
interface Body {
  code: string;
  /** The request or response hook is the handler's body: only `keep` (answer hooks) are declared. */
  inlined: boolean;
  keep?: readonly Used[];
}

function signature(shape: Shape): string {
  return shape === 'cff' ? 'function handler(event)' : 'function handler(event, context)';
}

function requestHandler(placements: readonly Placement[], eventType: RequestEventType, shape: Shape, use: Use): Body | undefined {
  const s0 = SHAPES[shape];
  const here = placements.filter((p) => p.request === eventType);
  // The response event never runs for an answer made here (CloudFront skips viewer-response for
  // a viewer-request answer, origin-response for an origin-request one): those hooks run on it here.
  const passThrough = placements.filter((p) => p.response !== undefined && skipsResponse(eventType, p.response)).reverse();
  const requestHooks = here.map((p) => use(p, 'request'));
  const answerHooks = passThrough.map((p) => use(p, 'response'));
  if (requestHooks.some((h) => !h) || answerHooks.some((h) => !h)) return undefined;
  const q = requestHooks as Used[];
  const s = answerHooks as Used[];
  const safe = q.every((h) => h.safe) && s.every((h) => h.safe);
  if (shape === 'cff') freshCookiesOnAnswers(here, q, s);

  if (safe && q.length === 1 && !s.length) {
    const inlined = inlineBody(q[0].source, [s0.request, 'event'], 'request');
    if (inlined) return { code: signature(shape).replace('(event', `(${inlined.param}`) + ` {\n${inlined.body}\n}\n`, inlined: true };
  }
  if (q.length === 1) return singleRequestHook(placements, q[0], s, shape, eventType);
  if (safe) return inlinedRequestChain(q, s, shape) ?? safeRequestHooks(q, s, shape);
  const pad = '    ';
  const calls = q.map((h) => `${pad}i = ${h.index}; a = ${h.name}(request, event);\n${pad}if (a !== request) return ${s.length ? `__edge_answer(request, a, ${h.index}, event)` : 'a'};`);
  const answerCalls = s.map((h) => `${pad}if (i > ${h.index}) { j = ${h.index}; ${h.name}(a, request); }`);
  const answerHelper = !s.length
    ? ''
    : `function __edge_answer(request, a, i, event) {\n  var j = -1;\n  try {\n${answerCalls.join('\n')}\n  } catch (e) {\n    __edge_log(e, j, event);\n  }\n  return a;\n}\n`;
  const head = `${signature(shape)} {\n  var request = ${s0.request}, a`;
  const answerOf = (init: AnswerInit) => JSON.stringify(s0.answer(init));
  const failed = here
    .filter((p) => p.middleware.onError)
    .map((p) => `i === ${p.index} ? ${answerOf(p.middleware.onError!)} : `)
    .join('') + answerOf({ status: 502 });
  return {
    code:
      `${head}, i = -1;\n  try {\n${calls.join('\n')}\n  } catch (e) {\n` +
      `    __edge_log(e, i, event);\n    a = ${failed};\n    return ${s.length ? '__edge_answer(request, a, i, event)' : 'a'};\n  }\n  return request;\n}\n` +
      `${answerHelper}${logHelper(placements, eventType, shape)}`,
    inlined: false,
  };
}

/**
 * A derived hook's Set-Cookie write makes `response.cookies` where it is missing (an answer of a
 * viewer-request function); a viewer-response event always has it (runtimes.md), as a
 * hand-written function assumes.
 */
const GUARDED_COOKIES = '(__s.cookies || (__s.cookies = {}))';

/**
 * Derived viewer-response hooks write Set-Cookie into the event's own `response.cookies`, and a
 * lone append is written in place: a helper call costs njs as much as the append itself.
 */
function ownCookies(s: readonly Used[]): void {
  for (const h of s) if (h.derived) h.source = h.source.split(GUARDED_COOKIES).join('__s.cookies');
  const appends = s.map((h) => h.source.split('__edge_ck(').length - 1);
  if (appends.reduce((a, b) => a + b, 0) !== 1) return;
  const h = s[appends.indexOf(1)];
  if (h.derived) h.source = h.source.replace(LONE_APPEND, (_all, indent: string, name: string, value: string) =>
    `${indent}{ var __edge_o = __s.cookies[${name}], __edge_v = ${value}; if (!__edge_o) __s.cookies[${name}] = __edge_v; ` +
    'else { if (!__edge_o.multiValue || !__edge_o.multiValue.length) __edge_o.multiValue = [{ value: __edge_o.value, attributes: __edge_o.attributes }]; __edge_o.multiValue.push(__edge_v); } }');
}

/** `__edge_ck(__s.cookies, "name", { ... });` as a statement of its own line. */
const LONE_APPEND = /^([ \t]*)__edge_ck\(__s\.cookies, ("(?:[^"\\]|\\.)*"), (\{(?:"(?:[^"\\]|\\.)*"|[^"{}])*\})\);$/m;

function responseHandler(placements: readonly Placement[], eventType: EventType, shape: Shape, use: Use): Body | undefined {
  const s0 = SHAPES[shape];
  const here = placements.filter((p) => p.response === eventType).reverse();
  const hooks = here.map((p) => use(p, 'response'));
  if (hooks.some((h) => !h)) return undefined;
  const s = hooks as Used[];
  if (shape === 'cff') ownCookies(s);
  const safe = s.every((h) => h.safe);
  if (safe && s.length === 1) {
    const inlined = inlineBody(s[0].source, [s0.response, s0.request], 'response');
    if (inlined) {
      const nl = inlined.body.indexOf('\n');
      const [head, rest] = [inlined.body.slice(0, nl), inlined.body.slice(nl)];
      const param = /^  var ([\w$]+) = /.exec(head);
      const { chain, declare } = param ? shareMember(rest, param[1], 'headers', '__edge_h') : { chain: rest, declare: '' };
      const body = head.replace(/;$/, `${declare};`) + chain;
      return { code: signature(shape).replace('(event', `(${inlined.param}`) + ` {\n${body}\n}\n`, inlined: true };
    }
  }
  if (!safe && s.length === 1) {
    // Lambda@Edge logs name `event`, which an inlined hook may have renamed: it keeps the call.
    const inlined = shape === 'cff' ? inlineBody(s[0].source, [s0.response, s0.request], 'response', logged(s[0], shape, eventType)) : undefined;
    if (inlined) return { code: signature(shape).replace('(event', `(${inlined.param}`) + ` {\n${inlined.body}\n}\n`, inlined: true };
    return {
      code: `${signature(shape)} {\n  var response = ${s0.response};\n  try {\n    ${s[0].name}(response, ${s0.request});\n  } catch (__edge_e) {\n` +
        `    ${logged(s[0], shape, eventType)}\n  }\n  return response;\n}\n`,
      inlined: false,
    };
  }
  if (safe) {
    const inlined = inlineChain(s.map((h) => ({ source: h.source })), 'response');
    if (inlined !== undefined) {
      const request = /\brequest\b/.test(inlined) ? `, request = ${s0.request}` : '';
      const { chain, declare } = shareMember(inlined, 'response', 'headers', '__edge_h');
      return { code: `${signature(shape)} {\n  var response = ${s0.response}${request}${declare};\n${chain}\n  return response;\n}\n`, inlined: true, keep: [] };
    }
  }
  const calls = s.map((h) => `${safe ? '  ' : `    i = ${h.index}; `}${h.name}(response, request);`);
  const head = `${signature(shape)} {\n  var response = ${s0.response}, request = ${s0.request}`;
  if (safe) return { code: `${head};\n${calls.join('\n')}\n  return response;\n}\n`, inlined: false };
  return {
    code:
      `${head}, i = -1;\n  try {\n${calls.join('\n')}\n  } catch (e) {\n    __edge_log(e, i, event);\n  }\n  return response;\n}\n` +
      logHelper(placements, eventType, shape),
    inlined: false,
  };
}

/**
 * Request hooks that cannot throw, as one body (inline-chain.ts): no function and no call per
 * hook; an answer goes through the response hooks before its hook, which stay functions.
 */
function inlinedRequestChain(q: readonly Used[], s: readonly Used[], shape: Shape): Body | undefined {
  const through = (h: Used) => s.filter((x) => x.index < h.index).map((x) => `${x.name}(a, request)`);
  const each = inlineChain(q.map((h) => ({ source: h.source, through: through(h) })), 'request');
  if (each === undefined) return undefined;
  const inlined = mergeSameAnswers(each);
  const keep = s.filter((x) => inlined.indexOf(`${x.name}(`) >= 0);
  const a = /\ba = /.test(inlined) ? ', a' : '';
  const headers = shareMember(inlined, 'request', 'headers', '__edge_h');
  const { chain, declare } = shareMember(headers.chain, 'request', 'uri', '__edge_u');
  return { code: `${signature(shape)} {\n  var request = ${SHAPES[shape].request}${a}${headers.declare}${declare};\n${chain}\n  return request;\n}\n`, inlined: true, keep };
}

/**
 * Request hooks that cannot throw, in a row as one writes them by hand: a hook that never
 * answers is a plain call, and an answer goes through the response hooks before its hook right
 * where it is made (no index, no helper). The last hook's answer or request is the result.
 */
function safeRequestHooks(q: readonly Used[], s: readonly Used[], shape: Shape): Body {
  const through = (h: Used) => s.filter((x) => x.index < h.index).map((x) => `${x.name}(a, request)`);
  // A hook of one parameter is not handed the event.
  const call = (h: Used) => `${h.name}(request${/^function\s*\(\s*[\w$]+\s*\)/.test(h.source) ? '' : ', event'})`;
  const lines = q.map((h, k) => {
    if (neverAnswers(h.source)) return `  ${call(h)};`;
    const then = through(h);
    if (k === q.length - 1) return `  a = ${call(h)};\n${then.length ? `  if (a !== request) ${then.join(', ')};\n` : ''}  return a;`;
    return `  a = ${call(h)};\n  if (a !== request) return ${[...then, 'a'].join(', ')};`;
  });
  const last = lines[lines.length - 1];
  const tail = /return a;$/.test(last) ? '' : '\n  return request;';
  return { code: `${signature(shape)} {\n  var request = ${SHAPES[shape].request}, a;\n${lines.join('\n')}${tail}\n}\n`, inlined: false };
}

/**
 * One request hook, as an expert would write it: a try around it when it may throw, the
 * error answer in the catch, and the answer through the response hooks of the middleware
 * before it (each named in its own log line). No index to keep, no helper per call.
 */
function singleRequestHook(placements: readonly Placement[], q: Used, passThrough: Used[], shape: Shape, eventType: RequestEventType): Body {
  const s0 = SHAPES[shape];
  const onError = placements[q.index].middleware.onError;
  const failed = JSON.stringify(s0.answer(onError ?? { status: 502 }));
  const before = passThrough.filter((h) => h.index < q.index);
  if (shape === 'cff' && q.safe && before.length && before.every((h) => h.safe)) {
    const inlined = inlinedThrough(q, before, s0.request);
    if (inlined) return inlined;
  }
  if (!before.length) {
    const inlined = shape !== 'cff' ? undefined : inlineBody(q.source, [s0.request, 'event'], 'request', q.safe ? undefined : `${logged(q, shape, eventType)}\n    return ${failed};`);
    if (inlined) return { code: signature(shape).replace('(event', `(${inlined.param}`) + ` {\n${inlined.body}\n}\n`, inlined: true };
  }
  const call = q.safe
    ? `  a = ${q.name}(request, event);\n`
    : `  try {\n    a = ${q.name}(request, event);\n  } catch (__edge_e) {\n    ${logged(q, shape, eventType)}\n    a = ${failed};\n  }\n`;
  if (!before.length) return { code: `${signature(shape)} {\n  var request = ${s0.request}, a;\n${call}  return a;\n}\n`, inlined: false };
  const answerCalls = before.map((h) => `${h.name}(a, request);`);
  const guarded = before.every((h) => h.safe)
    ? `  ${answerCalls.join(' ')}\n`
    : before.length === 1
      ? `  try {\n    ${answerCalls[0]}\n  } catch (__edge_e) {\n    ${logged(before[0], shape, eventType)}\n  }\n`
      : `  var j = -1;\n  try {\n${before.map((h) => `    j = ${h.index}; ${h.name}(a, request);`).join('\n')}\n  } catch (e) {\n    __edge_log(e, j, event);\n  }\n`;
  return {
    code: `${signature(shape)} {\n  var request = ${s0.request}, a;\n${call}  if (a === request) return a;\n${guarded}  return a;\n}\n` +
      (before.length > 1 && !before.every((h) => h.safe) ? logHelper(placements, eventType, shape) : ''),
    inlined: false,
  };
}

/**
 * A lone request hook that cannot throw as the handler's body, each of its literal answers
 * passed through the response hooks before it (which then return what they change), as a
 * hand-written function calls its stamp on each answer it makes.
 */
function inlinedThrough(q: Used, before: readonly Used[], request: string): Body | undefined {
  const returning = before.map((h) => returningResponse(h.source));
  if (returning.some((r) => r === undefined)) return undefined;
  const source = answersThrough(q.source, (answer, r) => before.reduce((a, h, i) => `${h.name}(${a}${returning[i]!.usesRequest ? `, ${r}` : ''})`, answer));
  const inlined = source && inlineBody(source, [request, 'event'], 'request');
  if (!inlined) return undefined;
  before.forEach((h, i) => (h.source = returning[i]!.source));
  return { code: `function handler(${inlined.param}) {\n${inlined.body}\n}\n`, inlined: true, keep: before };
}

/** The log line of a hook that threw (`__edge_e`), as __edge_log writes it. */
function logged(h: Used, shape: Shape, eventType: EventType): string {
  if (shape === 'cff') return `console.log(${JSON.stringify(`edgeline: ${h.middleware} failed: `)} + __edge_e);`;
  return (
    `console.error(JSON.stringify({ edgeline: 'middleware error', middleware: ${JSON.stringify(h.middleware)}, eventType: ${JSON.stringify(eventType)}, ` +
    'requestId: event.Records[0].cf.config.requestId, error: String(__edge_e && __edge_e.stack || __edge_e) }));'
  );
}

/** As emitHandler logs: the middleware's name, and on Lambda@Edge the request id (CloudWatch). */
function logHelper(placements: readonly Placement[], eventType: EventType, shape: Shape): string {
  const names = JSON.stringify(placements.map((p) => p.middleware.name));
  if (shape === 'cff') return `function __edge_log(e, i) {\n  console.log('edgeline: ' + ${names}[i] + ' failed: ' + e);\n}\n`;
  return (
    `function __edge_log(e, i, event) {\n  console.error(JSON.stringify({ edgeline: 'middleware error', middleware: ${names}[i], ` +
    `eventType: ${JSON.stringify(eventType)}, requestId: event.Records[0].cf.config.requestId, error: String(e && e.stack || e) }));\n}\n`
  );
}

const STR = '("(?:[^"\\\\]|\\\\.)*")';
const QUERY_DELETE = new RegExp(`delete [\\w$.]+\\.querystring\\[${STR}\\]`, 'g');
const QUERY_ADD = new RegExp(`\\.querystring\\[${STR}\\] = |__edge_append\\([\\w$.]+\\.querystring, ${STR}`, 'g');
const QUERY_ADD_ANY = /__edge_(?:set|append)\([\w$.]+\.querystring, /g;

/**
 * Whether CloudFront code may add back a query parameter it deleted: njs puts it back where
 * it was, V8 (the unit test, Lambda@Edge) last. The context-based handler keeps V8's order
 * (runtime/value-map.ts), so such an event type is not lowered directly.
 */
export function readdsDeletedParam(sources: readonly string[]): boolean {
  const text = sources.join('\n');
  const deleted = new Set([...text.matchAll(QUERY_DELETE)].map((m) => m[1]));
  if (!deleted.size) return false;
  const added = [...text.matchAll(QUERY_ADD)].map((m) => m[1] ?? m[2]);
  const literalAdds = [...text.matchAll(QUERY_ADD)].filter((m) => m[2] !== undefined).length;
  // An add whose name is not a literal could be any name.
  if ([...text.matchAll(QUERY_ADD_ANY)].length > literalAdds) return true;
  return added.some((n) => deleted.has(n));
}

/** A derived `ctx.request.querystring.toString()` (derive-cff.ts): the query string rebuilt from the object. */
const QUERY_TEXT = /__edge_qs\(([\w$]+)\.querystring\)/g;
/** A derived `ctx.request.querystring.setString(text)`. */
const QUERY_REPLACE = /\.querystring = String\(/;
/** What may change the query string in derived code; hand-written code that names it at all may. */
const QUERY_WRITE = /\.querystring\s*(?:\[[^\]]*\]\s*)?=(?!=)|delete\s+[\w$.]+\.querystring\b|__edge_(?:set|append|delete)\([\w$.]+\.querystring\b/;

/**
 * On cloudfront-js-2.0 the request has the query string as sent (`rawQueryString()`), which is
 * what `ctx.request.querystring.toString()` gives until a hook changes the map (runtime/cff.ts).
 * The direct handler keeps that meaning: true when no hook of the function may change the
 * query string, so derived reads (`__edge_qs`) can take the raw text (`__edge_rqs`); false when
 * one may, so they rebuild it; undefined when hand-written code reads `rawQueryString()` and
 * another hook may change the query string first: only the context-based handler (which tracks
 * changes) then gives what the unit test gives.
 */
function rawQueryReads(used: readonly Used[]): boolean | undefined {
  const writers = used.filter((u) => (u.derived ? QUERY_WRITE.test(u.source) : /\bquerystring\b/.test(u.source)));
  if (used.some((u) => !u.derived && /\brawQueryString\b/.test(u.source) && writers.some((w) => w !== u))) return undefined;
  // A lone hook that reads the text before it changes anything (normalizeQuery: read, then
  // setString as its last act) reads it as sent, as the context's map gives it until then.
  if (used.length === 1 && writers.length === 1 && readsBeforeWrites(used[0].source)) return true;
  return writers.length === 0;
}

/** Whether every derived read of the query string's text comes before any write and any loop. */
function readsBeforeWrites(source: string): boolean {
  const reads = [...source.matchAll(QUERY_TEXT)].map((m) => m.index ?? 0);
  if (!reads.length) return false;
  const write = source.search(QUERY_WRITE);
  const loop = firstLoop(source);
  if (loop === undefined) return false;
  const first = Math.min(write < 0 ? Infinity : write, loop);
  return reads.every((at) => at < first);
}

/** Where the first loop statement of a function's source starts (Infinity: none; undefined: it does not parse). Comments do not count. */
function firstLoop(source: string): number | undefined {
  let program: unknown;
  try {
    program = parse(`(${source})`, { ecmaVersion: 'latest' });
  } catch {
    return undefined;
  }
  let first = Infinity;
  simple(program as never, {
    ForStatement: (n) => void (first = Math.min(first, n.start - 1)),
    ForInStatement: (n) => void (first = Math.min(first, n.start - 1)),
    ForOfStatement: (n) => void (first = Math.min(first, n.start - 1)),
    WhileStatement: (n) => void (first = Math.min(first, n.start - 1)),
    DoWhileStatement: (n) => void (first = Math.min(first, n.start - 1)),
  });
  return first;
}

/**
 * A derived setString (derive-cff.ts) hands CloudFront the query string as text: no other hook
 * of the function may touch the query string, which is no longer the object they would read.
 */
function queryReplacedAlone(used: readonly Used[]): boolean {
  const replacers = used.filter((u) => u.derived && QUERY_REPLACE.test(u.source));
  return replacers.length === 0 || (replacers.length === 1 && used.every((u) => u === replacers[0] || !/\bquerystring\b/.test(u.source)));
}
