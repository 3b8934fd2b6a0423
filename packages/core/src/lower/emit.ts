import type { EventType, RequestEventType, ResponseEventType } from '../capability.js';
import { isRequestEvent } from '../capability.js';
import type { Placement } from '../check.js';
import { configLiteral, hookSource } from '../portable.js';

/** Which event shape the handler speaks. */
export type Shape = 'cff' | 'lambda';

export interface EmitOptions {
  placements: readonly Placement[];
  eventType: EventType;
  shape: Shape;
  /** Module specifier (or path) of `@edgeline/core/runtime`. */
  runtime: string;
  /** Await every hook (Lambda@Edge, or cloudfront-js-2.0 with an async middleware). */
  async: boolean;
}

/** A middleware's hook as it ends up in an artifact. */
export interface EmittedHook {
  middleware: string;
  index: number;
  hook: 'request' | 'response';
  name: string;
  source: string;
}

export interface EmittedHandler {
  /** ESM glue: imports the runtime, exports `handler`; refers to the hooks and configs by name. */
  glue: string;
  /** `var` declarations of each config and hook used, to follow the bundled glue. */
  declarations: string;
  hooks: EmittedHook[];
  /** The glue imports nothing: it needs no bundling, only its `export` removed. */
  selfContained?: boolean;
}

const CFF = {
  request: 'cffRequestContext', forward: 'cffForward', response: 'cffResponseContext',
  result: 'cffResponse', answer: 'cffAnswer', answerContext: 'cffAnswerContext', eventResponse: '',
};
const LAMBDA = {
  request: 'leRequestContext', forward: 'leForward', response: 'leResponseContext',
  result: 'leResponse', answer: 'leAnswer', answerContext: 'leAnswerContext', eventResponse: 'leEventResponse',
};

/**
 * Lowers the part of a pipeline that runs at one event type into straight-line code: one call
 * per hook, no loop and no middleware objects at run time. An answer from a request hook goes
 * through the response hooks of the middleware before it whose own event will not run for it
 * (CloudFront skips viewer-response for a viewer-request answer, origin-response for an
 * origin-request one).
 */
export function emitHandler(options: EmitOptions): EmittedHandler {
  const { placements, eventType, shape } = options;
  const fns = shape === 'cff' ? CFF : LAMBDA;
  const aw = options.async ? 'await ' : '';
  const hooks: EmittedHook[] = [];
  const configs = new Set<number>();
  const use = (p: Placement, hook: 'request' | 'response'): string => {
    const name = `__edge_${hook === 'request' ? 'q' : 's'}${p.index}`;
    if (!hooks.some((h) => h.name === name)) {
      hooks.push({ middleware: p.middleware.name, index: p.index, hook, name, source: hookSource(p.middleware.name, hook, p.middleware[hook]!) });
    }
    configs.add(p.index);
    return `${name}(ctx, __edge_c${p.index})`;
  };
  const imports = new Set<string>();
  let body: string;
  let helpers = '';

  if (isRequestEvent(eventType)) {
    const here = placements.filter((p) => p.request === eventType);
    const passThrough = placements.filter((p) => p.response && skipsResponse(eventType as RequestEventType, p.response));
    imports.add(fns.request).add(fns.forward).add(fns.answer).add('respond');
    // Only a promise is awaited: an await per synchronous hook would cost a microtask per request.
    const calls = here.map((p) => `    i = ${p.index}; a = ${use(p, 'request')};${options.async ? '\n    if (a && typeof a.then === "function") a = await a;' : ''}\n    if (a) return ${aw}__edge_answer(ctx, a, i);`);
    body =
      `  var ctx, a, i = -1;\n  try {\n    ctx = ${fns.request}(event);\n${calls.join('\n')}\n  } catch (e) {\n` +
      `    return ${aw}__edge_failed(ctx, e, i);\n  }\n  return ${fns.forward}(ctx, event);`;
    const answerHooks = [...passThrough].reverse().map((p) => `    if (i > ${p.index}) ${aw}${use(p, 'response').replace('(ctx,', '(r,')};`);
    let answer = `  var raw = ${fns.answer}(a);\n`;
    if (answerHooks.length) {
      imports.add(fns.answerContext).add(fns.result);
      answer +=
        `  if (i < 0) return raw;\n  var r = ${fns.answerContext}(ctx, raw${shape === 'lambda' ? `, ${JSON.stringify(eventType)}` : ''});\n` +
        `  try {\n${answerHooks.join('\n')}\n  } catch (e) {\n    __edge_log(ctx, e, i);\n  }\n  return ${fns.result}(r, raw);\n`;
    } else {
      answer += '  return raw;\n';
    }
    const errorAnswer = here
      .filter((p) => p.middleware.onError)
      .map((p) => `i === ${p.index} ? respond(${JSON.stringify(p.middleware.onError)}) : `)
      .join('');
    helpers =
      `${options.async ? 'async ' : ''}function __edge_answer(ctx, a, i) {\n${answer}}\n` +
      `${options.async ? 'async ' : ''}function __edge_failed(ctx, e, i) {\n  __edge_log(ctx, e, i);\n` +
      `  return ${aw}__edge_answer(ctx, ${errorAnswer}respond({ status: 502 }), i);\n}\n` +
      logHelper(placements, shape);
  } else {
    const here = placements.filter((p) => p.response === eventType).reverse();
    imports.add(fns.response).add(fns.result);
    if (fns.eventResponse) imports.add(fns.eventResponse);
    const eventResponse = fns.eventResponse ? `${fns.eventResponse}(event)` : 'event.response';
    const calls = here.map((p) => `    i = ${p.index}; ${aw}${use(p, 'response')};`);
    body =
      `  var ctx, i = -1;\n  try {\n    ctx = ${fns.response}(event);\n${calls.join('\n')}\n  } catch (e) {\n    __edge_log(ctx, e, i);\n  }\n` +
      `  return ctx ? ${fns.result}(ctx, ${eventResponse}) : ${eventResponse};`;
    helpers = logHelper(placements, shape);
  }

  const signature = shape === 'lambda'
    ? `export const handler = ${options.async ? 'async ' : ''}(event, context) =>`
    : `export ${options.async ? 'async ' : ''}function handler(event)`;
  const glue =
    `import { ${[...imports].join(', ')} } from ${JSON.stringify(options.runtime)};\n` +
    `${signature} {\n${body}\n}${shape === 'lambda' ? ';' : ''}\n${helpers}`;
  const modules = new Map<string, string>();
  const hookCode = hooks.map((h) => `var ${h.name} = ${shape === 'lambda' ? hoistRequires(h.source, modules) : h.source};`);
  const declarations =
    [...configs].sort((a, b) => a - b).map((i) => `var __edge_c${i} = ${configLiteral(placements[i].middleware.name, placements[i].middleware.config)};`).join('\n') +
    '\n' +
    [...modules].map(([name, id]) => `var ${id} = require(${JSON.stringify(name)});`).join('\n') +
    '\n' +
    hookCode.join('\n') +
    '\n';
  return { glue, declarations, hooks };
}

/**
 * On Lambda@Edge a module is loaded once per container: `require('crypto')` inside a hook
 * becomes a module-level variable, so a request does not go through the module loader.
 * (On CloudFront Functions the whole script runs per request: there is nothing to hoist to.)
 */
export function hoistRequires(source: string, modules: Map<string, string>): string {
  return source.replace(/\brequire\(\s*(['"])([^'"\\]+)\1\s*\)/g, (call: string, _q, name: string) => {
    // The AWS SDK is provided by the runtime and heavy to load: it stays where the hook needs it.
    if (name.indexOf('@aws-sdk/') === 0) return call;
    let id = modules.get(name);
    if (!id) {
      id = `__edge_m${modules.size}`;
      modules.set(name, id);
    }
    return id;
  });
}

/** Whether CloudFront will skip `response`'s event for an answer generated at `at`. */
export function skipsResponse(at: RequestEventType, response: ResponseEventType): boolean {
  return at === 'viewer-request' || response === 'origin-response';
}

/** Errors are logged with the middleware name (and the request id on Lambda@Edge, for CloudWatch). */
function logHelper(placements: readonly Placement[], shape: Shape): string {
  const names = JSON.stringify(placements.map((p) => p.middleware.name));
  if (shape === 'lambda') {
    return (
      `function __edge_log(ctx, e, i) {\n  console.error(JSON.stringify({ edgeline: 'middleware error', middleware: ${names}[i], eventType: ctx && ctx.eventType, ` +
      `requestId: ctx && ctx.requestId, error: String(e && e.stack || e) }));\n}\n`
    );
  }
  return `function __edge_log(ctx, e, i) {\n  console.log('edgeline: middleware ' + ${names}[i] + ' failed: ' + e);\n}\n`;
}
