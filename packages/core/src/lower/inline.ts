import { parse } from 'acorn';
import { ancestor, simple } from 'acorn-walk';

interface Node {
  type: string;
  start: number;
  end: number;
  name?: string;
  argument?: Node | null;
  params?: Node[];
  body?: Node | Node[];
}

/**
 * The body of a direct hook, to become the whole `handler(param)`: its parameters turn into
 * variables bound to `args` (source text over `event`), and falling off the end returns the
 * first parameter (the request to forward, or the changed response). `undefined` when that
 * would change what the hook means: `this`, `arguments`, a parameter that is not a plain name,
 * a bare `return;`, or (for a response hook) any `return`. With `guard`, the body runs in a
 * `try` whose `catch (__edge_e)` runs `guard` (which a request hook's guard ends with a return).
 */
export function inlineBody(
  source: string, args: readonly string[], kind: 'request' | 'response', guard?: string,
): { param: string; body: string } | undefined {
  let fn: Node;
  try {
    const program = parse(`(${source})`, { ecmaVersion: 'latest' }) as unknown as { body: { expression: Node }[] };
    fn = program.body[0].expression;
  } catch {
    return undefined;
  }
  if (fn.type !== 'FunctionExpression' || !fn.params || fn.params.length > args.length || !fn.params.length) return undefined;
  if (fn.params.some((p) => p.type !== 'Identifier')) return undefined;
  const body = fn.body as Node;
  let ok = true;
  let mentionsEvent = false;
  const used = new Set<string>();
  const references: Node[] = [];
  const inNested = (ancestors: Node[]) =>
    ancestors.some((a) => a !== fn && (a.type === 'FunctionExpression' || a.type === 'FunctionDeclaration' || a.type === 'ArrowFunctionExpression'));
  ancestor(body as never, {
    ThisExpression(_n: unknown, _s: unknown, ancestors: Node[]) {
      if (!inNested(ancestors.filter((a) => a.type !== 'ArrowFunctionExpression'))) ok = false;
    },
    Identifier(n: Node, _s: unknown, ancestors: Node[]) {
      used.add(n.name as string);
      const parent = ancestors[ancestors.length - 2] as Node & { shorthand?: boolean };
      // `{ ev }` names a property too: renaming it would rename the key.
      if (!(parent && parent.type === 'Property' && parent.shorthand)) references.push(n);
      if (n.name === 'arguments' && !inNested(ancestors)) ok = false;
      if (n.name === 'event') mentionsEvent = true;
    },
    ReturnStatement(n: Node, _s: unknown, ancestors: Node[]) {
      if (inNested(ancestors)) return;
      if (kind === 'response' || !n.argument) ok = false;
    },
  } as never);
  if (!ok) return undefined;
  const wrapped = `(${source})`;
  const names = fn.params.map((p) => p.name as string);
  let inner = wrapped.slice((body.start as number) + 1, (body.end as number) - 1);
  // The parameter given the event itself becomes the handler's, renamed `event` (as one writes
  // `handler(event)` by hand) when the renaming is sure: `event` is nowhere in the body, not even
  // as a nested declaration the walk does not report, and every mention of the parameter is a
  // reference the walk saw (none is a declaration, a property name or inside a string).
  const own = names.findIndex((n, i) => i > 0 && args[i] === 'event');
  const word = (name: string) => new RegExp(`(?<![\\w$])${name.replace(/\$/g, '\\$')}(?![\\w$])`, 'g');
  let event = mentionsEvent || names.indexOf('event') >= 0 ? '__edge_event' : 'event';
  if (own > 0) {
    const mine = references.filter((r) => r.name === names[own]);
    const sure = event === 'event' && !word('event').test(inner) && (inner.match(word(names[own])) || []).length === mine.length;
    if (sure) {
      for (const r of mine.sort((a, b) => b.start - a.start)) {
        const at = r.start - (body.start as number) - 1;
        inner = inner.slice(0, at) + event + inner.slice(at + names[own].length);
      }
    } else {
      event = names[own];
    }
  }
  // A parameter the body never names is not bound (the first is returned, so always is).
  const vars = names
    .map((n, i) => ((i === 0 || used.has(n)) && i !== own ? `${n} = ${args[i].replace(/^event\b/, event)}` : ''))
    .filter(Boolean)
    .join(', ');
  const statements = (body.body as Node[]) || [];
  const endsInReturn = statements.length > 0 && statements[statements.length - 1].type === 'ReturnStatement';
  const tail = endsInReturn ? '' : `\n  return ${names[0]};`;
  if (guard !== undefined) return { param: event, body: `  var ${vars};\n  try {${inner}\n  } catch (__edge_e) {\n    ${guard}\n  }${tail}` };
  return { param: event, body: `  var ${vars};\n${inner}${tail}` };
}

/** A hook's function node and its top-level `return`s (not those of nested functions), or undefined when it does not parse. */
function returnsOf(source: string): { fn: Node; returns: Node[] } | undefined {
  let fn: Node;
  try {
    fn = (parse(`(${source})`, { ecmaVersion: 'latest' }) as unknown as { body: { expression: Node }[] }).body[0].expression;
  } catch {
    return undefined;
  }
  if (fn.type !== 'FunctionExpression' || !fn.params || !fn.params.length || fn.params[0].type !== 'Identifier') return undefined;
  const returns: Node[] = [];
  ancestor(fn.body as never, {
    ReturnStatement(n: Node, _s: unknown, ancestors: Node[]) {
      if (!ancestors.some((a) => a !== fn && /Function/.test(a.type))) returns.push(n);
    },
  } as never);
  return { fn, returns };
}

/**
 * Whether a request hook always gives back its request, never an answer: every `return` of its
 * own returns the first parameter, which is never assigned, and the body ends in one.
 */
export function neverAnswers(source: string): boolean {
  const found = returnsOf(source);
  if (!found) return false;
  const request = found.fn.params![0].name;
  const isRequest = (n: Node | null | undefined) => !!n && n.type === 'Identifier' && n.name === request;
  const statements = ((found.fn.body as Node).body as Node[]) || [];
  const last = statements[statements.length - 1];
  if (!last || last.type !== 'ReturnStatement' || !found.returns.every((r) => isRequest(r.argument))) return false;
  let assigned = false;
  simple(found.fn.body as never, {
    AssignmentExpression: (n: Node & { left?: Node }) => void (isRequest(n.left) && (assigned = true)),
    UpdateExpression: (n: Node) => void (isRequest(n.argument) && (assigned = true)),
  } as never);
  return !assigned;
}

/**
 * A derived request hook whose every `return` gives the request or a literal answer
 * (`return ({ ... }) || __r`, as derive.ts writes `return ctx.respond(...)`), with each answer
 * passed through `through` (the response hooks that run on an answer, as calls). Then the hook
 * can be the handler's body. `undefined` for any other `return`.
 */
export function answersThrough(source: string, through: (answer: string, request: string) => string): string | undefined {
  const found = returnsOf(source);
  if (!found) return undefined;
  const request = found.fn.params![0].name;
  const text = `(${source})`;
  let out = text;
  for (const r of [...found.returns].reverse()) {
    const arg = r.argument as (Node & { operator?: string; left?: Node; right?: Node }) | null | undefined;
    if (arg && arg.type === 'Identifier' && arg.name === request) continue;
    if (!arg || arg.type !== 'LogicalExpression' || arg.operator !== '||' || arg.right!.type !== 'Identifier' || arg.right!.name !== request) return undefined;
    if (arg.left!.type !== 'ObjectExpression') return undefined;
    out = out.slice(0, arg.start) + through(text.slice(arg.left!.start, arg.left!.end), request!) + out.slice(arg.end);
  }
  return out.slice(1, -1);
}

/**
 * A response hook with no `return` of its own, made to return its response (so that it can
 * wrap an answer), without the request parameter when it does not use it; else undefined.
 */
export function returningResponse(source: string): { source: string; usesRequest: boolean } | undefined {
  const found = returnsOf(source);
  if (!found || found.returns.length) return undefined;
  const { fn } = found;
  const body = fn.body as Node;
  const text = `(${source})`;
  const params = fn.params!;
  let usesRequest = params.length > 1;
  if (params.length === 2 && params[1].type === 'Identifier') {
    usesRequest = false;
    simple(body as never, { Identifier: (n: Node) => void (n.name === params[1].name && (usesRequest = true)) } as never);
  }
  const head = usesRequest ? text.slice(1, body.start) : `${text.slice(1, params[0].end)})${text.slice(params[params.length - 1].end, body.start).replace(/^[^)]*\)/, '')}`;
  return { source: `${head}${text.slice(body.start, body.end - 1)}\n  return ${params[0].name};\n}${text.slice(body.end, -1)}`, usesRequest };
}
