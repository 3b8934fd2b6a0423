import { parse } from 'acorn';
import { fullAncestor } from 'acorn-walk';
import { transform } from 'esbuild';
import { toEs2 } from './syntax-2.js';

interface Node {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

/**
 * ES5 for code whose only newer syntax is what bundlers and TypeScript's own output leave in
 * a hook (object shorthand, arrows, template literals, rest parameters, `let`/`const`), without
 * loading TypeScript (most of a cold build's CPU): shorthand is written out (toEs2), esbuild
 * lowers arrows and templates, and `let`/`const` become `var` where that cannot change what the
 * code does: each name declared once in its function, no function inside a loop (a closure
 * would share one variable where each iteration had its own). Undefined otherwise: TypeScript.
 */
export async function lightEs5(code: string): Promise<string | undefined> {
  const es2 = toEs2(code);
  if (es2 === undefined || /\b(async|await)\b/.test(es2)) return undefined;
  let lowered: string;
  try {
    lowered = (await transform(es2, { target: 'es5', supported: { 'const-and-let': true }, legalComments: 'inline', charset: 'utf8' })).code;
  } catch {
    return undefined;
  }
  const out = varForLetConst(lowered);
  if (out === undefined) return undefined;
  try {
    parse(out, { ecmaVersion: 5, sourceType: 'script' });
  } catch {
    return undefined;
  }
  return out;
}

const FUNCTION = /^(FunctionDeclaration|FunctionExpression|ArrowFunctionExpression)$/;
const LOOP = /^(ForStatement|ForInStatement|ForOfStatement|WhileStatement|DoWhileStatement)$/;

function varForLetConst(code: string): string | undefined {
  let program: Node;
  try {
    program = parse(code, { ecmaVersion: 2017, sourceType: 'script' }) as unknown as Node;
  } catch {
    return undefined;
  }
  const edits: number[] = [];
  // Per function: the let/const names (each must be declared once) and every other declared name
  // (var, parameter, function, catch parameter), which a let/const name must not be.
  const names = new Map<Node, Map<string, number>>();
  const others = new Map<Node, Set<string>>();
  const other = (scope: Node, name: string) => {
    const s = others.get(scope) ?? new Set<string>();
    others.set(scope, s);
    s.add(name);
  };
  let ok = true;
  const scopeOf = (ancestors: Node[]): Node => {
    for (let i = ancestors.length - 2; i >= 0; i--) if (FUNCTION.test(ancestors[i].type)) return ancestors[i];
    return program;
  };
  const count = (scope: Node, name: string) => {
    const m = names.get(scope) ?? new Map<string, number>();
    names.set(scope, m);
    m.set(name, (m.get(name) ?? 0) + 1);
  };
  fullAncestor(program as never, (n: unknown, _s: unknown, a: unknown) => {
    const node = n as Node;
    const ancestors = a as Node[];
    if (FUNCTION.test(node.type)) {
      // A function inside a loop may close over a loop's block-scoped variable.
      if (ancestors.slice(0, -1).some((x) => LOOP.test(x.type))) ok = false;
      for (const p of (node.params as Node[]) || []) if (p.type === 'Identifier') other(node, p.name as string);
      if (node.type === 'FunctionDeclaration' && node.id) other(scopeOf(ancestors), (node.id as Node).name as string);
    }
    if (node.type === 'CatchClause' && node.param && (node.param as Node).type === 'Identifier') other(scopeOf(ancestors), (node.param as Node).name as string);
    if (node.type !== 'VariableDeclaration') return;
    const scope = scopeOf(ancestors);
    for (const d of node.declarations as Node[]) {
      if ((d.id as Node).type !== 'Identifier') ok = false;
      else if (node.kind === 'var') other(scope, (d.id as Node).name as string);
      else count(scope, (d.id as Node).name as string);
    }
    if (node.kind !== 'var') edits.push(node.start);
  });
  if (!ok) return undefined;
  for (const [scope, m] of names) for (const [name, c] of m) if (c > 1 || others.get(scope)?.has(name)) return undefined;
  let out = code;
  for (const at of edits.sort((x, y) => y - x)) {
    const kw = out.startsWith('const', at) ? 'const' : 'let';
    out = out.slice(0, at) + 'var' + out.slice(at + kw.length);
  }
  return out;
}
