import type { EventType } from '../capability.js';
import type { AnswerInit } from '../context.js';
import { isRequestEvent } from '../capability.js';
import type { Placement } from '../check.js';
import type { DirectHooks } from '../middleware.js';
import { portableSource } from '../portable.js';
import { respond } from '../runtime/answer.js';
import { cffAnswer } from '../runtime/cff.js';
import type { EmittedHandler, EmittedHook } from './emit.js';

export interface EmitDirectOptions {
  placements: readonly Placement[];
  eventType: EventType;
}

/**
 * The CloudFront Functions handler of an event type whose every hook has a direct lowering
 * (DirectHooks): the hooks get the event's own objects, so no context is built per request.
 * `undefined` when one hook has none; the caller then emits the context-based handler.
 * Behaviour is the same as emitHandler's: errors are logged and the request goes on (or the
 * middleware's onError answer, else 502), and an answer passes through the response hooks of
 * the middleware before the one that answered.
 */
export function emitDirect(options: EmitDirectOptions): EmittedHandler | undefined {
  const { placements, eventType } = options;
  if (eventType !== 'viewer-request' && eventType !== 'viewer-response') return undefined;
  const direct = new Map<number, DirectHooks>();
  const hooks: EmittedHook[] = [];
  const use = (p: Placement, hook: 'request' | 'response'): string | undefined => {
    let d = direct.get(p.index);
    if (!d) {
      const lower = p.middleware.direct.cff;
      d = lower && lower(p.middleware.config);
      if (!d) return undefined;
      direct.set(p.index, d);
    }
    const text = d[hook];
    if (text === undefined) return undefined;
    const name = `__edge_${hook === 'request' ? 'q' : 's'}${p.index}`;
    if (!hooks.some((h) => h.name === name)) {
      hooks.push({ middleware: p.middleware.name, index: p.index, hook, name, source: portableSource(p.middleware.name, hook, text) });
    }
    return name;
  };

  let body: string;
  if (isRequestEvent(eventType)) {
    const here = placements.filter((p) => p.request === eventType);
    // viewer-response never runs for an answer made at viewer-request: each earlier middleware's
    // response hook runs on it here.
    const passThrough = placements.filter((p) => p.response !== undefined);
    const calls: string[] = [];
    for (const p of here) {
      const name = use(p, 'request');
      if (!name) return undefined;
      calls.push(`    i = ${p.index}; a = ${name}(request, event);\n    if (a) return ${passThrough.length ? '__edge_answer(request, a, i)' : 'a'};`);
    }
    const answerHooks: string[] = [];
    for (const p of [...passThrough].reverse()) {
      const name = use(p, 'response');
      if (!name) return undefined;
      answerHooks.push(`    if (i > ${p.index}) { j = ${p.index}; ${name}(a, request); }`);
    }
    const answerOf = (init: AnswerInit) => JSON.stringify(cffAnswer(respond(init)));
    const failed = here
      .filter((p) => p.middleware.onError)
      .map((p) => `i === ${p.index} ? ${answerOf(p.middleware.onError!)} : `)
      .join('') + answerOf({ status: 502 });
    body =
      `function handler(event) {\n  var request = event.request, a, i = -1;\n  try {\n${calls.join('\n')}\n  } catch (e) {\n` +
      `    __edge_log(e, i);\n    a = ${failed};\n    return ${passThrough.length ? '__edge_answer(request, a, i)' : 'a'};\n  }\n  return request;\n}\n` +
      (passThrough.length
        ? `function __edge_answer(request, a, i) {\n  var j = -1;\n  try {\n${answerHooks.join('\n')}\n  } catch (e) {\n    __edge_log(e, j);\n  }\n  return a;\n}\n`
        : '');
  } else {
    const here = placements.filter((p) => p.response === eventType).reverse();
    const calls: string[] = [];
    for (const p of here) {
      const name = use(p, 'response');
      if (!name) return undefined;
      calls.push(`    i = ${p.index}; ${name}(response, event.request);`);
    }
    body =
      `function handler(event) {\n  var response = event.response, i = -1;\n  try {\n${calls.join('\n')}\n  } catch (e) {\n` +
      `    __edge_log(e, i);\n  }\n  return response;\n}\n`;
  }
  const names = JSON.stringify(placements.map((p) => p.middleware.name));
  const glue = `export ${body}function __edge_log(e, i) {\n  console.log('edgeline: middleware ' + ${names}[i] + ' failed: ' + e);\n}\n`;
  const declarations = hooks.map((h) => `var ${h.name} = ${h.source};`).join('\n') + '\n';
  return { glue, declarations, hooks };
}
