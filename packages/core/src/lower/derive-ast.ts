import type { Helper } from './derive-helpers.js';

/** An acorn node, loosely typed: the rewrites read a few fields of many node types. */
export interface N {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

/** Thrown while rewriting when a use of the context is not one we rewrite. */
export class GiveUp extends Error {}

/** The parameters of a derived hook: `request(__r, __e)`, `response(__s, __r)`. */
export const REQ = '__r';
export const EVT = '__e';
export const RES = '__s';

/** One use of the context, resolved to the chain of property reads it starts: `ctx.request.headers.get('x')`. */
export interface ContextUse {
  hook: 'request' | 'response';
  /** `request.headers.get`; it stops at a value (`request.uri`) and at a map's method. */
  path: string;
  parts: string[];
  /** The call of the chain, when it is called, and its arguments. */
  call: N | undefined;
  args: N[];
  /** Assigned, updated or deleted. */
  written: boolean;
  /** What holds the chain, and what holds that (an ExpressionStatement: a statement of its own). */
  parent: N;
  grand: N | undefined;
  /** The nodes holding the chain, nearest first (parent, grand, and on up to the hook's function). */
  outer: N[];
}

/** What a dialect writes code with. */
export interface Writer {
  /** The source of a node, with the rewrites inside it applied. */
  print(n: N): string;
  /** The source of a node as written. */
  slice(n: N): string;
  /** Declares a helper (derive-helpers.ts) for the artifact; returns its name. */
  helper(name: Helper): string;
  /** The string an expression is at build time: a literal, or a config value inlined as one. */
  staticString(n: N): string | undefined;
  /** Declares a variable of the hook's own (`__edge_*`: no user name can meet it); returns its name. */
  local(name: string): string;
  /** Whether a variable of the hook's own was declared (all are, before any code is written). */
  has(name: string): boolean;
  /** Code a request hook runs as it returns (after its value is computed), once per return. */
  onExit(code: string): void;
  /** Replaces the chain (or `node`, e.g. the whole call) by the code `emit` gives. */
  at(emit: () => string, node?: N): void;
}

/** Rewrites one use of the context for an event shape, or throws GiveUp. */
export type Dialect = (use: ContextUse, w: Writer) => void;

/** An `ctx.respond({ ... })` init written as a literal: each dialect builds its response from it. */
export interface LiteralAnswer {
  status: N;
  /** Non-empty (the adapters leave an empty one out). */
  statusDescription?: string;
  /** A string literal. */
  body?: N;
  headers: { name: string; value: N }[];
}

/** The parts of a literal answer init, or undefined when one is not literal (the dialect calls its helper). */
export function literalAnswer(init: N): LiteralAnswer | undefined {
  if (init.type !== 'ObjectExpression') return undefined;
  const out: Partial<LiteralAnswer> & { headers: LiteralAnswer['headers'] } = { headers: [] };
  for (const prop of init.properties as N[]) {
    const k = propertyKey(prop);
    const v = prop.value as N;
    const text = v.type === 'Literal' && typeof v.value === 'string' ? v.value : undefined;
    if (k === 'status') out.status = v;
    else if (k === 'statusDescription' && text !== undefined) out.statusDescription = text || undefined;
    else if (k === 'body' && text !== undefined) out.body = v;
    else if (k === 'headers' && v.type === 'ObjectExpression') {
      for (const h of v.properties as N[]) out.headers.push({ name: propertyKey(h), value: h.value as N });
    } else return undefined;
  }
  return out.status ? (out as LiteralAnswer) : undefined;
}

export function propertyKey(prop: N): string {
  if (prop.type !== 'Property' || prop.computed || prop.kind !== 'init' || prop.method) throw new GiveUp();
  const key = prop.key as N;
  if (key.type === 'Identifier') return key.name as string;
  if (key.type === 'Literal' && typeof key.value === 'string') return key.value;
  throw new GiveUp();
}

export interface Rewrite {
  start: number;
  end: number;
  emit(): string;
}

/** The source of [start, end) with every rewrite inside it applied (outermost first). */
export function printRange(text: string, rewrites: Rewrite[], start: number, end: number): string {
  const inside = rewrites
    .filter((r) => r.start >= start && r.end <= end)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let pos = start;
  for (const r of inside) {
    if (r.start < pos) continue; // within one already printed
    out += text.slice(pos, r.start) + r.emit();
    pos = r.end;
  }
  return out + text.slice(pos, end);
}

/** Whether the statement of `use` is its hook's last: the end of its body, or followed by `return;`. */
export function lastAct(use: ContextUse): boolean {
  const [statement, block, holder] = use.outer.slice(1, 4);
  if (!statement || statement.type !== 'ExpressionStatement' || !block || block.type !== 'BlockStatement') return false;
  const body = block.body as N[];
  const next = body[body.indexOf(statement) + 1];
  if (next) return next.type === 'ReturnStatement' && !next.argument;
  return !!holder && (holder.type === 'FunctionExpression' || holder.type === 'ArrowFunctionExpression');
}

export function nearestFunction(ancestors: N[]): N | undefined {
  for (let i = ancestors.length - 2; i >= 0; i--) if (/Function/.test(ancestors[i].type)) return ancestors[i];
  return undefined;
}

/** The names a node declares: variables, functions, their parameters, catch clauses, classes. */
export function declaredBy(node: N): string[] {
  const out: string[] = [];
  const pattern = (p: N | null | undefined): void => {
    if (!p) return;
    if (p.type === 'Identifier') out.push(p.name as string);
    else if (p.type === 'ObjectPattern') for (const q of p.properties as N[]) pattern(q.type === 'RestElement' ? q : (q.value as N));
    else if (p.type === 'ArrayPattern') for (const q of p.elements as N[]) pattern(q);
    else if (p.type === 'RestElement') pattern(p.argument as N);
    else if (p.type === 'AssignmentPattern') pattern(p.left as N);
  };
  if (node.type === 'VariableDeclarator') pattern(node.id as N);
  else if (/Function/.test(node.type)) {
    pattern(node.id as N | null);
    for (const p of node.params as N[]) pattern(p);
  } else if (node.type === 'CatchClause') pattern(node.param as N | null);
  else if (/^Class/.test(node.type)) pattern(node.id as N | null);
  return out;
}

/** Whether an expression is assigned, updated or deleted. */
export function isWritten(node: N, parent: N | undefined): boolean {
  if (!parent) return false;
  return (parent.type === 'AssignmentExpression' && parent.left === node) ||
    parent.type === 'UpdateExpression' ||
    (parent.type === 'UnaryExpression' && parent.operator === 'delete');
}
