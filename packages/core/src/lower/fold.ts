import { parse } from 'acorn';
import { fullAncestor } from 'acorn-walk';

interface N {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

/**
 * Drops the branches an inlined option decides, before helpers are chosen: `if (true) A else B`
 * is `A`, `false ? a : b` is `b`, `true || x` is `true`, and the statements of a block after an
 * unconditional `return` or `throw` go (except `var` and function declarations, which hoist).
 * A minifier would fold most of these, but only after the build has declared the helpers and
 * constants the dead branches named (a query-string rebuild for a redirect the options turned off).
 * Repeats until nothing changes; returns the source unchanged where it does not parse.
 */
export function foldConstantBranches(source: string): string {
  // Only an inlined option or a literal makes a test constant: most hooks have none (no parse).
  if (!/(?:\(|!|\s)(?:true|false|null|void 0|\d+|"[^"]*")\s*(?:\)|===|!==|==|!=|&&|\|\||\?)/.test(source)) return source;
  let out = source;
  for (let pass = 0; pass < 8; pass++) {
    const next = foldOnce(out);
    if (next === out) return out;
    out = next;
  }
  return out;
}

function foldOnce(source: string): string {
  const text = `(${source})`;
  let program: N;
  try {
    program = parse(text, { ecmaVersion: 'latest' }) as unknown as N;
  } catch {
    return source;
  }
  const edits: { start: number; end: number; text: string }[] = [];
  const slice = (n: N) => text.slice(n.start, n.end);
  fullAncestor(program as never, (n: unknown) => {
    const node = n as N;
    if (node.type === 'IfStatement') {
      const t = truth(node.test as N);
      if (t === undefined) return;
      const taken = (t ? node.consequent : node.alternate) as N | null;
      edits.push({ start: node.start, end: node.end, text: taken ? slice(taken) : ';' });
    } else if (node.type === 'ConditionalExpression') {
      const t = truth(node.test as N);
      if (t === undefined) return;
      edits.push({ start: node.start, end: node.end, text: `(${slice((t ? node.consequent : node.alternate) as N)})` });
    } else if (node.type === 'LogicalExpression' && (node.operator === '&&' || node.operator === '||')) {
      const t = truth(node.left as N);
      if (t === undefined) return;
      // `false && x` is false, `true || x` true; otherwise the right side decides.
      const decided = node.operator === '&&' ? !t : t;
      // The left side's own value where it decides (`0 && x` is 0, not false).
      edits.push({ start: node.start, end: node.end, text: `(${slice((decided ? node.left : node.right) as N)})` });
    } else if (node.type === 'BlockStatement' || node.type === 'Program') {
      const body = node.body as N[];
      const at = body.findIndex((s) => s.type === 'ReturnStatement' || s.type === 'ThrowStatement');
      if (at < 0 || at === body.length - 1) return;
      const dead = body.slice(at + 1);
      if (dead.some((s) => s.type === 'FunctionDeclaration' || (s.type === 'VariableDeclaration' && s.kind === 'var'))) return;
      edits.push({ start: dead[0].start, end: dead[dead.length - 1].end, text: '' });
    }
  });
  // Outermost edits win: an edit inside another one is part of the text the outer one keeps or drops.
  edits.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: typeof edits = [];
  for (const e of edits) if (!kept.length || e.start >= kept[kept.length - 1].end) kept.push(e);
  if (!kept.length) return source;
  let out = '';
  let at = 0;
  for (const e of kept) {
    out += text.slice(at, e.start) + e.text;
    at = e.end;
  }
  out += text.slice(at);
  return out.slice(1, -1);
}

/** The truth of a test fixed by literals: `true`, `(false)`, `!0`, `null !== null`, `"a" === "a"`. */
function truth(n: N): boolean | undefined {
  if (n.type === 'Literal') {
    const v = n.value;
    return n.regex === undefined ? Boolean(v) : undefined;
  }
  if (n.type === 'Identifier' && n.name === 'undefined') return false;
  if (n.type === 'UnaryExpression' && n.operator === '!') {
    const t = truth(n.argument as N);
    return t === undefined ? undefined : !t;
  }
  if (n.type === 'UnaryExpression' && n.operator === 'void' && (n.argument as N).type === 'Literal') return false;
  if (n.type === 'BinaryExpression' && /^[!=]==?$/.test(n.operator as string)) {
    const l = literal(n.left as N);
    const r = literal(n.right as N);
    if (!l || !r) return undefined;
    const same = n.operator === '===' || n.operator === '!==' ? l.value === r.value : l.value == r.value;
    return (n.operator as string)[0] === '=' ? same : !same;
  }
  return undefined;
}

function literal(n: N): { value: unknown } | undefined {
  if (n.type === 'Literal' && n.regex === undefined) return { value: n.value };
  if (n.type === 'Identifier' && n.name === 'undefined') return { value: undefined };
  if (n.type === 'UnaryExpression' && n.operator === 'void' && (n.argument as N).type === 'Literal') return { value: undefined };
  return undefined;
}
