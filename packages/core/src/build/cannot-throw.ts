import { parse } from 'acorn';

interface N {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

/**
 * Whether a derived CloudFront Functions hook (derive-cff.ts) cannot throw on any event the
 * service sends: then it needs no try/catch, and a lone one becomes the handler's body, as a
 * hand-written function is. Deliberately narrow: straight-line code over the event's own
 * objects (which CloudFront always gives: request headers, query string and cookies, response
 * headers), literals, operators and a few calls known not to throw. Anything else (a call on a
 * local value, encodeURIComponent, a loop, a nested function) counts as one that may throw.
 */
export function cannotThrow(source: string): boolean {
  let fn: N;
  try {
    fn = ((parse(`(${source})`, { ecmaVersion: 'latest' }) as unknown as { body: N[] }).body[0] as N).expression as N;
  } catch {
    return false;
  }
  if (fn.type !== 'FunctionExpression') return false;
  const text = `(${source})`;
  const src = (n: N) => text.slice(n.start, n.end);
  const params = new Set((fn.params as N[]).map((p) => p.name as string));
  const locals = new Set<string>();

  /** Objects CloudFront always gives, so reading a property of one cannot throw. */
  const objectOf = (n: N): boolean => {
    if (n.type === 'Identifier') return params.has(n.name as string);
    if (n.type === 'ObjectExpression') return true;
    return /^__[rs]\.(headers|querystring|cookies)$|^__e\.(viewer|context)$/.test(src(n)) && src(n) !== '__s.cookies' && src(n) !== '__s.querystring';
  };

  const expr = (n: N | null | undefined): boolean => {
    if (!n) return true;
    switch (n.type) {
      case 'Literal':
        return true;
      case 'Identifier':
        return params.has(n.name as string) || locals.has(n.name as string) || n.name === 'undefined';
      case 'TemplateLiteral':
        return (n.expressions as N[]).every(expr);
      case 'ObjectExpression':
        return (n.properties as N[]).every((p) => p.type === 'Property' && !p.computed && p.kind === 'init' && expr(p.value as N));
      case 'ArrayExpression':
        return (n.elements as N[]).every((e) => e && e.type !== 'SpreadElement' && expr(e));
      case 'BinaryExpression':
        return n.operator !== 'in' && n.operator !== 'instanceof' && expr(n.left as N) && expr(n.right as N);
      case 'LogicalExpression':
        return guardedValue(n) || (expr(n.left as N) && expr(n.right as N));
      case 'ConditionalExpression':
        return expr(n.test as N) && expr(n.consequent as N) && expr(n.alternate as N);
      case 'SequenceExpression':
        return (n.expressions as N[]).every(expr);
      case 'UnaryExpression':
        return n.operator === 'delete' ? member(n.argument as N) : expr(n.argument as N);
      case 'MemberExpression':
        return member(n);
      case 'AssignmentExpression': {
        const left = n.left as N;
        const target = left.type === 'Identifier' ? locals.has(left.name as string) : left.type === 'MemberExpression' && member(left);
        return target && expr(n.right as N);
      }
      case 'CallExpression':
        return call(n);
      default:
        return false;
    }
  };

  /** `o.k` or `o[k]` on an object CloudFront always gives; `k` itself must not throw. */
  const member = (n: N): boolean =>
    n.type === 'MemberExpression' && objectOf(n.object as N) && (!n.computed || expr(n.property as N));

  /** `(m["k"] && m["k"].value)` and `(m["k"] && __edge_dec(m["k"].value))`, as derive-cff.ts writes a read. */
  const guardedValue = (n: N): boolean => {
    if (n.operator !== '&&') return false;
    const left = n.left as N;
    const right = n.right as N;
    if (!member(left)) return false;
    const value = `${src(left)}.value`;
    if (src(right) === value) return true;
    return right.type === 'CallExpression' && src(right.callee as N) === '__edge_dec' && (right.arguments as N[]).length === 1 && src((right.arguments as N[])[0]) === value;
  };

  const call = (n: N): boolean => {
    const callee = src(n.callee as N);
    const args = n.arguments as N[];
    if (!args.every(expr)) return false;
    if (callee === 'String' || callee === 'Object.keys') return args.length === 1 && (callee === 'String' || objectOf(args[0]));
    if (callee === '__edge_qs') return args.length === 1 && objectOf(args[0]);
    // Appends a cookie to `response.cookies`, made if missing: derive-cff.ts passes it so.
    if (callee === '__edge_ck') return /^__s\.cookies \|\| \(__s\.cookies = \{\}\)$/.test(src(args[0])) && args[1].type === 'Literal';
    return false;
  };

  const statement = (n: N): boolean => {
    switch (n.type) {
      case 'ExpressionStatement':
        return expr(n.expression as N);
      case 'BlockStatement':
        return (n.body as N[]).every(statement);
      case 'IfStatement':
        return expr(n.test as N) && statement(n.consequent as N) && (!n.alternate || statement(n.alternate as N));
      case 'ReturnStatement':
        return expr(n.argument as N | null);
      case 'EmptyStatement':
        return true;
      case 'VariableDeclaration':
        return (n.declarations as N[]).every((d) => {
          const id = d.id as N;
          if (id.type !== 'Identifier' || !expr(d.init as N | null)) return false;
          locals.add(id.name as string);
          return true;
        });
      default:
        return false;
    }
  };
  return statement(fn.body as N);
}
