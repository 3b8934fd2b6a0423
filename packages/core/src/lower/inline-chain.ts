import { parse } from 'acorn';
import { fullAncestor } from 'acorn-walk';

interface Node {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

/** One hook of a chain: its source (`function (req, event) {...}`) and, for a request hook, the calls an answer it makes goes through. */
export interface ChainHook {
  source: string;
  /** Expressions run on an answer `a` before it is returned (`__edge_s2(a, request)`); request hooks only. */
  through?: string[];
}

/**
 * Hooks that cannot throw, written one after another in the handler's body as a hand-writer
 * would, instead of a function and a call each: a request hook's `return <its request>` goes on
 * to the next hook (`break` out of its labelled block), any other `return` answers, through
 * the response hooks before it. Each hook's parameters become the handler's `request` / `event`
 * (`response` / `request` for response hooks) and its own names get a suffix of its position,
 * so hooks cannot see each other's variables. `undefined` when one hook cannot be written so
 * (it assigns a parameter, uses `this`, `arguments`, a bare `return`, destructuring, a block-scoped
 * name that is not function-wide, or names `request`, `response`, `event` or `a` as globals):
 * the caller then calls functions, as before.
 * @returns the statements of the handler's body between its `var` line and its final `return`
 */
export function inlineChain(hooks: readonly ChainHook[], kind: 'request' | 'response'): string | undefined {
  const out: string[] = [];
  for (let k = 0; k < hooks.length; k++) {
    const block = inlineOne(hooks[k], k, kind);
    if (block === undefined) return undefined;
    out.push(block);
  }
  return out.join('\n');
}

const HANDLER_NAMES = ['request', 'response', 'event', 'a', 'context'];

/**
 * `request.headers` read by several hooks of one body, as one variable (as a hand-writer keeps
 * `var h = request.headers`): ~8 bytes and a property read per use. Only where nothing assigns
 * the property itself. Returns the body and the variable's declaration (`, __edge_h = ...`), or
 * the body unchanged and ''.
 */
export function shareMember(chain: string, object: string, property: string, name: string): { chain: string; declare: string } {
  const use = new RegExp(`(?<![\\w$.])${object}\\.${property}(?![\\w$])`, 'g');
  const uses = chain.match(use);
  if (!uses || uses.length < 2) return { chain, declare: '' };
  const assigned = new RegExp(`(?<![\\w$.])${object}\\.${property}\\s*(=(?!=)|\\+\\+|--|[-+*/%&|^]=)|delete\\s+${object}\\.${property}(?![\\w$[.])|(?<![\\w$.])${object}\\s*=(?!=)`);
  if (assigned.test(chain) || new RegExp(`(?<![\\w$])${name}(?![\\w$])`).test(chain)) return { chain, declare: '' };
  return { chain: chain.replace(use, name), declare: `, ${name} = ${object}.${property}` };
}

function inlineOne(hook: ChainHook, k: number, kind: 'request' | 'response'): string | undefined {
  const wrapped = `(${hook.source})`;
  let fn: Node;
  try {
    fn = (parse(wrapped, { ecmaVersion: 2017 }) as unknown as { body: { expression: Node }[] }).body[0].expression;
  } catch {
    return undefined;
  }
  const params = fn.params as Node[];
  if (fn.type !== 'FunctionExpression' || fn.async || fn.generator || !params.length || params.length > 2) return undefined;
  if (params.some((p) => p.type !== 'Identifier')) return undefined;
  const body = fn.body as Node;
  const paramNames = params.map((p) => p.name as string);
  const targets = kind === 'request' ? ['request', 'event'] : ['response', 'request'];
  const label = `__edge_b${k}`;

  // The names declared in the hook's own scope (and any nested one: renaming a name everywhere
  // keeps every scope's meaning, as long as the new name is new), and where each is referenced.
  const declared = new Set<string>();
  const blockScoped = new Map<string, number>();
  const renames: { start: number; end: number; text: string }[] = [];
  const identifiers: { node: Node; parent: Node | undefined; ancestors: Node[] }[] = [];
  let ok = true;
  const isNestedFunction = (a: Node) => a !== fn && /Function/.test(a.type);
  fullAncestor(body as never, (n: unknown, _s: unknown, ancestors: unknown) => {
    const node = n as Node;
    const chain = ancestors as Node[];
    const inNested = chain.some(isNestedFunction);
    switch (node.type) {
      case 'ThisExpression':
        if (!chain.some((a) => a !== fn && (a.type === 'FunctionExpression' || a.type === 'FunctionDeclaration'))) ok = false;
        break;
      case 'ObjectPattern':
      case 'ArrayPattern':
      case 'AssignmentPattern':
      case 'RestElement':
      case 'ClassDeclaration':
      case 'ClassExpression':
      case 'WithStatement':
        ok = false;
        break;
      case 'VariableDeclaration':
        for (const d of node.declarations as Node[]) {
          const id = d.id as Node;
          if (id.type !== 'Identifier') ok = false;
          else {
            declared.add(id.name as string);
            if (node.kind !== 'var') blockScoped.set(id.name as string, (blockScoped.get(id.name as string) ?? 0) + (inNested || chain[chain.length - 2] !== body ? 2 : 1));
          }
        }
        break;
      case 'FunctionDeclaration':
        if ((node.id as Node | null)?.type === 'Identifier') declared.add((node.id as Node).name as string);
        break;
      case 'CatchClause':
        if ((node.param as Node | null)?.type === 'Identifier') declared.add((node.param as Node).name as string);
        break;
      case 'ReturnStatement':
        // A response hook may stop early (`return;`); a request hook returns its request or an answer.
        if (!inNested && (kind === 'response' ? node.argument : !node.argument)) ok = false;
        break;
      case 'Identifier':
        identifiers.push({ node, parent: chain[chain.length - 2], ancestors: chain });
        break;
      default:
        break;
    }
    // Parameters of nested functions are declarations too.
    if (/Function/.test(node.type) && node !== fn) {
      for (const p of (node.params as Node[]) || []) {
        if (p.type === 'Identifier') declared.add(p.name as string);
        else ok = false;
      }
    }
  });
  if (!ok) return undefined;
  // let/const are function-wide only when declared once, at the top of the body.
  for (const count of blockScoped.values()) if (count !== 1) return undefined;
  for (const p of paramNames) if (declared.has(p)) return undefined;

  const shorthands = new Set<number>();
  for (const { node, parent, ancestors } of identifiers) {
    const name = node.name as string;
    // `{ x }` (acorn visits its key and its value, one node or two): the key stays, the value is renamed.
    if (parent && parent.type === 'Property' && parent.shorthand) {
      if (shorthands.has(node.start)) continue;
      shorthands.add(node.start);
      if (paramNames.indexOf(name) < 0 && !declared.has(name) && HANDLER_NAMES.indexOf(name) >= 0) return undefined;
      const to = renamed(name);
      if (to !== name) renames.push({ start: node.start, end: node.end, text: `${name}: ${to}` });
      continue;
    }
    if (parent && isPropertyName(node, parent)) continue;
    if (paramNames.indexOf(name) >= 0) {
      if (parent && isAssigned(node, parent)) return undefined;
      if (name === 'arguments') return undefined;
    } else if (!declared.has(name)) {
      // A free name: a global. The handler's own names would capture it.
      if (HANDLER_NAMES.indexOf(name) >= 0 || name === 'arguments') {
        if (!(name === 'arguments' && ancestors.some((a) => a !== fn && (a.type === 'FunctionExpression' || a.type === 'FunctionDeclaration')))) return undefined;
      }
      continue;
    }
    const to = renamed(name);
    if (to !== name) renames.push({ start: node.start, end: node.end, text: to });
  }

  function renamed(name: string): string {
    const p = paramNames.indexOf(name);
    if (p >= 0) return targets[p];
    if (declared.has(name)) return `${name}__${k}`;
    return name;
  }

  // Returns of the hook itself (request hooks): go on, or answer.
  let breaks = false;
  const statements = body.body as Node[];
  const last = statements[statements.length - 1];
  if (kind === 'request') {
    const through = hook.through ?? [];
    const answer = (x: string) => (through.length ? `return (a = ${x}, ${through.join(', ')}, a);` : `return ${x};`);
    fullAncestor(body as never, (n: unknown, _s: unknown, ancestors: unknown) => {
      const node = n as Node;
      if (node.type !== 'ReturnStatement' || (ancestors as Node[]).some(isNestedFunction)) return;
      const arg = node.argument as Node;
      const isRequest = arg.type === 'Identifier' && arg.name === paramNames[0];
      let text: string;
      if (isRequest) {
        if (node === last) text = '';
        else {
          text = `break ${label};`;
          breaks = true;
        }
      } else {
        const x = applyRenames(wrapped, arg.start, arg.end, renames);
        const object = surelyObject(arg);
        if (object) text = answer(applyRenames(wrapped, object.start, object.end, renames));
        else {
          text = `{ a = ${x}; if (a !== request) ${through.length ? `return (${through.join(', ')}, a);` : 'return a;'} ${node === last ? '' : `break ${label}; `}}`;
          breaks = breaks || node !== last;
        }
      }
      // Replaced as a whole: renames inside it are already applied to its text.
      for (let i = renames.length - 1; i >= 0; i--) if (renames[i].start >= node.start && renames[i].end <= node.end) renames.splice(i, 1);
      renames.push({ start: node.start, end: node.end, text });
    });
  } else {
    // A response hook's `return;` ends it: the next hook runs.
    fullAncestor(body as never, (n: unknown, _s: unknown, ancestors: unknown) => {
      const node = n as Node;
      if (node.type !== 'ReturnStatement' || (ancestors as Node[]).some(isNestedFunction)) return;
      const text = node === last ? '' : `break ${label};`;
      breaks = breaks || node !== last;
      renames.push({ start: node.start, end: node.end, text });
    });
  }
  const inner = applyRenames(wrapped, body.start + 1, body.end - 1, renames).trim();
  if (!inner) return '';
  return breaks ? `  ${label}: {\n  ${inner}\n  }` : `  ${inner}`;
}

/** `source.slice(from, to)` with the renames inside that range applied. */
function applyRenames(source: string, from: number, to: number, renames: readonly { start: number; end: number; text: string }[]): string {
  let out = '';
  let at = from;
  for (const r of [...renames].filter((r) => r.start >= from && r.end <= to).sort((x, y) => x.start - y.start)) {
    if (r.start < at) continue;
    out += source.slice(at, r.start) + r.text;
    at = r.end;
  }
  return out + source.slice(at, to);
}

/** The object literal an expression surely evaluates to (`{...}`, `({...}) || request` as derived answers are written), if any. */
function surelyObject(node: Node): Node | undefined {
  if (node.type === 'ObjectExpression') return node;
  if (node.type === 'LogicalExpression' && node.operator === '||') return surelyObject(node.left as Node);
  return undefined;
}

function isPropertyName(node: Node, parent: Node): boolean {
  if (parent.type === 'MemberExpression') return parent.property === node && !parent.computed;
  if (parent.type === 'Property') return parent.key === node && !parent.computed;
  if (parent.type === 'LabeledStatement' || parent.type === 'BreakStatement' || parent.type === 'ContinueStatement') return true;
  return false;
}

function isAssigned(node: Node, parent: Node): boolean {
  return (parent.type === 'AssignmentExpression' && parent.left === node) || parent.type === 'UpdateExpression';
}

/**
 * Neighbouring `if (a) return X;` `if (b) return X;` of the same answer text become
 * `if ((a) || (b)) return X;`, as one writes a list of checks by hand: the tests run in the same
 * order and stop at the same one, and the answer is built once per request as before.
 */
export function mergeSameAnswers(chain: string): string {
  const text = `function f() {\n${chain}\n}`;
  let body: Node[];
  try {
    body = (((parse(text, { ecmaVersion: 2017 }) as unknown as { body: Node[] }).body[0] as Node).body as Node).body as Node[];
  } catch {
    return chain;
  }
  const answerOf = (s: Node): string | undefined => {
    if (s.type !== 'IfStatement' || s.alternate) return undefined;
    let c = s.consequent as Node;
    if (c.type === 'BlockStatement' && (c.body as Node[]).length === 1) c = (c.body as Node[])[0];
    return c.type === 'ReturnStatement' && c.argument ? text.slice((c.argument as Node).start, (c.argument as Node).end) : undefined;
  };
  const edits: { start: number; end: number; text: string }[] = [];
  for (let i = 0; i < body.length; ) {
    const answer = answerOf(body[i]);
    let j = i + 1;
    while (answer !== undefined && j < body.length && answerOf(body[j]) === answer) j++;
    if (j - i > 1) {
      const tests = body.slice(i, j).map((s) => `(${text.slice((s.test as Node).start, (s.test as Node).end)})`);
      edits.push({ start: body[i].start, end: body[j - 1].end, text: `if (${tests.join(' || ')}) return ${answer};` });
    }
    i = j;
  }
  if (!edits.length) return chain;
  let out = '';
  let at = 0;
  for (const e of edits) {
    out += text.slice(at, e.start) + e.text;
    at = e.end;
  }
  out += text.slice(at);
  return out.slice('function f() {\n'.length, -'\n}'.length);
}
