import type { EventType } from '../capability.js';
import type { CfRuntime } from '../target.js';
import type { Placement } from '../check.js';
import type { AnswerInit } from '../context.js';
import type { DirectHooks } from '../middleware.js';
import { configLiteral, portableSource } from '../portable.js';
import { respond } from '../runtime/answer.js';
import { cffAnswer } from '../runtime/cff.js';
import type { EmittedHandler, EmittedHook } from './emit.js';
import { inlineBody } from './inline.js';

export interface EmitDirectOptions {
  placements: readonly Placement[];
  eventType: EventType;
  runtime: CfRuntime;
}

interface Used extends EmittedHook {
  safe: boolean;
}

/**
 * The CloudFront Functions handler of an event type whose every hook has a direct lowering
 * (DirectHooks): the hooks get the event's own objects, so no context is built per request.
 * `undefined` when one hook has none; the caller then emits the context-based handler.
 * Behaviour is the same as emitHandler's: errors are logged and the request goes on (or the
 * middleware's onError answer, else 502), and an answer passes through the response hooks of
 * the middleware before the one that answered. Hooks that cannot throw (`safe`) get no
 * try/catch, and a single one becomes the handler's body, as an expert would write it.
 */
export function emitDirect(options: EmitDirectOptions): EmittedHandler | undefined {
  const { placements, eventType } = options;
  if (eventType !== 'viewer-request' && eventType !== 'viewer-response') return undefined;
  const lowered = new Map<number, DirectHooks | undefined>();
  const used: Used[] = [];
  const constants = new Map<string, string>();
  const use = (p: Placement, hook: 'request' | 'response'): Used | undefined => {
    if (!lowered.has(p.index)) lowered.set(p.index, p.middleware.direct.cff?.(p.middleware.config, options.runtime));
    const d = lowered.get(p.index);
    const text = d && d[hook];
    if (!d || text === undefined) return undefined;
    const name = `__edge_${hook === 'request' ? 'q' : 's'}${p.index}`;
    let u = used.find((h) => h.name === name);
    if (!u) {
      const rename: Record<string, string> = {};
      for (const key in d.constants) {
        rename[key] = `__${key}${p.index}`;
        constants.set(rename[key], configLiteral(p.middleware.name, d.constants[key]));
      }
      const source = portableSource(p.middleware.name, hook, text, rename);
      u = { middleware: p.middleware.name, index: p.index, hook, name, source, safe: d.safe === true };
      used.push(u);
    }
    return u;
  };
  const body = eventType === 'viewer-request' ? requestHandler(placements, use) : responseHandler(placements, use);
  if (body === undefined) return undefined;
  const hooks: EmittedHook[] = used.map(({ safe: _safe, ...h }) => h);
  const declarations =
    [...constants].map(([name, literal]) => `var ${name} = ${literal};\n`).join('') +
    (body.inlined ? '' : hooks.map(declaration).join('\n') + '\n');
  return { glue: `export ${body.code}`, declarations, hooks, selfContained: true };
}

/** A function declaration where the source allows it: a few bytes less than `var name = function`. */
function declaration(h: EmittedHook): string {
  return /^function\s*\(/.test(h.source) ? `function ${h.name}${h.source.replace(/^function\s*/, '')}` : `var ${h.name} = ${h.source};`;
}

type Use = (p: Placement, hook: 'request' | 'response') => Used | undefined;
interface Body {
  code: string;
  inlined: boolean;
}

function requestHandler(placements: readonly Placement[], use: Use): Body | undefined {
  const here = placements.filter((p) => p.request === 'viewer-request');
  // viewer-response never runs for an answer made at viewer-request: each earlier middleware's
  // response hook runs on it here.
  const passThrough = placements.filter((p) => p.response !== undefined).reverse();
  const requestHooks = here.map((p) => use(p, 'request'));
  const answerHooks = passThrough.map((p) => use(p, 'response'));
  if (requestHooks.some((h) => !h) || answerHooks.some((h) => !h)) return undefined;
  const q = requestHooks as Used[];
  const s = answerHooks as Used[];
  const safe = q.every((h) => h.safe) && s.every((h) => h.safe);

  if (safe && q.length === 1 && !s.length) {
    const inlined = inlineBody(q[0].source, ['event.request', 'event'], 'request');
    if (inlined) return { code: `function handler(${inlined.param}) {\n${inlined.body}\n}\n`, inlined: true };
  }
  const answer = s.length ? '__edge_answer(request, a, i)' : 'a';
  const calls = q.map((h) => `${safe ? '  ' : '    '}${safe ? '' : `i = ${h.index}; `}a = ${h.name}(request, event);\n${safe ? '  ' : '    '}if (a !== request) return ${s.length ? `__edge_answer(request, a, ${h.index})` : 'a'};`);
  const answerCalls = s.map((h) => `${safe ? '  ' : '    '}if (i > ${h.index}) { ${safe ? '' : `j = ${h.index}; `}${h.name}(a, request); }`);
  const answerHelper = !s.length
    ? ''
    : safe
      ? `function __edge_answer(request, a, i) {\n${answerCalls.join('\n')}\n  return a;\n}\n`
      : `function __edge_answer(request, a, i) {\n  var j = -1;\n  try {\n${answerCalls.join('\n')}\n  } catch (e) {\n    __edge_log(e, j);\n  }\n  return a;\n}\n`;
  if (safe) {
    return { code: `function handler(event) {\n  var request = event.request, a;\n${calls.join('\n')}\n  return request;\n}\n${answerHelper}`, inlined: false };
  }
  const answerOf = (init: AnswerInit) => JSON.stringify(cffAnswer(respond(init)));
  const failed = here
    .filter((p) => p.middleware.onError)
    .map((p) => `i === ${p.index} ? ${answerOf(p.middleware.onError!)} : `)
    .join('') + answerOf({ status: 502 });
  return {
    code:
      `function handler(event) {\n  var request = event.request, a, i = -1;\n  try {\n${calls.join('\n')}\n  } catch (e) {\n` +
      `    __edge_log(e, i);\n    a = ${failed};\n    return ${answer};\n  }\n  return request;\n}\n${answerHelper}${logHelper(placements)}`,
    inlined: false,
  };
}

function responseHandler(placements: readonly Placement[], use: Use): Body | undefined {
  const here = placements.filter((p) => p.response === 'viewer-response').reverse();
  const hooks = here.map((p) => use(p, 'response'));
  if (hooks.some((h) => !h)) return undefined;
  const s = hooks as Used[];
  const safe = s.every((h) => h.safe);
  if (safe && s.length === 1) {
    const inlined = inlineBody(s[0].source, ['event.response', 'event.request'], 'response');
    if (inlined) return { code: `function handler(${inlined.param}) {\n${inlined.body}\n}\n`, inlined: true };
  }
  const calls = s.map((h) => `${safe ? '  ' : `    i = ${h.index}; `}${h.name}(response, event.request);`);
  if (safe) return { code: `function handler(event) {\n  var response = event.response;\n${calls.join('\n')}\n  return response;\n}\n`, inlined: false };
  return {
    code:
      `function handler(event) {\n  var response = event.response, i = -1;\n  try {\n${calls.join('\n')}\n  } catch (e) {\n` +
      `    __edge_log(e, i);\n  }\n  return response;\n}\n${logHelper(placements)}`,
    inlined: false,
  };
}

function logHelper(placements: readonly Placement[]): string {
  const names = JSON.stringify(placements.map((p) => p.middleware.name));
  return `function __edge_log(e, i) {\n  console.log('edgeline: ' + ${names}[i] + ' failed: ' + e);\n}\n`;
}
