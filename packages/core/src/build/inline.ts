import { parse } from 'acorn';
import { ancestor } from 'acorn-walk';

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
  const inNested = (ancestors: Node[]) =>
    ancestors.some((a) => a !== fn && (a.type === 'FunctionExpression' || a.type === 'FunctionDeclaration' || a.type === 'ArrowFunctionExpression'));
  ancestor(body as never, {
    ThisExpression(_n: unknown, _s: unknown, ancestors: Node[]) {
      if (!inNested(ancestors.filter((a) => a.type !== 'ArrowFunctionExpression'))) ok = false;
    },
    Identifier(n: Node, _s: unknown, ancestors: Node[]) {
      used.add(n.name as string);
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
  const inner = wrapped.slice((body.start as number) + 1, (body.end as number) - 1);
  const names = fn.params.map((p) => p.name as string);
  // A hook that names something `event` keeps it: the handler's parameter takes another name.
  const event = mentionsEvent || names.indexOf('event') >= 0 ? '__edge_event' : 'event';
  // A parameter the body never names is not bound (the first is returned, so always is).
  const vars = names
    .map((n, i) => (i === 0 || used.has(n) ? `${n} = ${args[i].replace(/^event\b/, event)}` : ''))
    .filter(Boolean)
    .join(', ');
  const statements = (body.body as Node[]) || [];
  const endsInReturn = statements.length > 0 && statements[statements.length - 1].type === 'ReturnStatement';
  const tail = endsInReturn ? '' : `\n  return ${names[0]};`;
  if (guard !== undefined) return { param: event, body: `  var ${vars};\n  try {${inner}\n  } catch (__edge_e) {\n    ${guard}\n  }${tail}` };
  return { param: event, body: `  var ${vars};\n${inner}${tail}` };
}
