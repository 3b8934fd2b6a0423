import { parse } from 'acorn';
import { fullAncestor } from 'acorn-walk';
import type { Config } from '../middleware.js';

interface N {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

/** Loops over an option list longer than this stay loops (the artifact would grow past what a loop costs). */
const MAX_ITERATIONS = 32;

/**
 * Unrolls a hook's loops over an option list, as a hand-writer writes one statement per item:
 * `for (let i = 0; i < config.list.length; i += 2) { if (!h.has(config.list[i])) h.set(config.list[i], config.list[i + 1]); }`
 * becomes one block per step with `config.list[i]`, `config.list[i + 1]` as literals and `i` a
 * number, so the lowering sees literal header names (property accesses, no helper) and folds
 * what options decide. The list may be read through a `const list = config.list` of the hook's
 * body (dropped once no read of it is left). Only plain loops: a numeric start, `i < list.length`,
 * `i++` or `i += k`, a body that neither writes `i` nor uses `break`, `continue` or a function,
 * and a list of primitives. Anything else, or a source that does not parse, is left as it is.
 */
export function unrollOptionLoops(source: string, config: Config): string {
  if (!/\bfor\s*\(/.test(source) || !/\.length\b/.test(source)) return source;
  const text = `(${source})`;
  let fn: N;
  try {
    fn = (((parse(text, { ecmaVersion: 'latest' }) as unknown as N).body as N[])[0] as N).expression as N;
  } catch {
    return source;
  }
  if (fn.type !== 'FunctionExpression' && fn.type !== 'ArrowFunctionExpression') return source;
  const params = fn.params as N[];
  const configName = params[1] && params[1].type === 'Identifier' ? (params[1].name as string) : undefined;
  const body = fn.body as N;
  if (!configName || body.type !== 'BlockStatement') return source;
  const options = config as Record<string, unknown>;

  /** `config.key` of a list of primitives: the key. */
  const optionList = (n: N): string | undefined => {
    if (n.type !== 'MemberExpression' || n.computed || (n.object as N).type !== 'Identifier' || (n.object as N).name !== configName) return undefined;
    const key = (n.property as N).name as string;
    const value = Object.prototype.hasOwnProperty.call(options, key) ? options[key] : undefined;
    return Array.isArray(value) && value.every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v)) ? key : undefined;
  };

  // `const list = config.key` at the top of the body, never written: `list` is the option.
  const aliases = new Map<string, { key: string; statement: N }>();
  for (const statement of body.body as N[]) {
    if (statement.type !== 'VariableDeclaration' || statement.kind !== 'const' || (statement.declarations as N[]).length !== 1) continue;
    const d = (statement.declarations as N[])[0];
    const key = d.init ? optionList(d.init as N) : undefined;
    if (key && (d.id as N).type === 'Identifier') aliases.set((d.id as N).name as string, { key, statement });
  }
  const listOf = (n: N): string | undefined => optionList(n) ?? (n.type === 'Identifier' ? aliases.get(n.name as string)?.key : undefined);

  const edits: { start: number; end: number; text: string }[] = [];
  const unrolled: N[] = [];
  for (const loop of body.body as N[]) {
    const plan = loop.type === 'ForStatement' ? planLoop(loop) : undefined;
    if (!plan) continue;
    const { index, start, step, list } = plan;
    const values = options[list] as unknown[];
    const steps: number[] = [];
    for (let i = start; i < values.length; i += step) steps.push(i);
    if (steps.length > MAX_ITERATIONS) continue;
    const uses = indexUses(loop.body as N, index);
    if (!uses) continue;
    const blocks = steps.map((i) => {
      let out = '';
      let at = (loop.body as N).start;
      for (const u of uses) {
        out += text.slice(at, u.node.start) + (u.offset === undefined ? String(i) : literal(values[i + u.offset]));
        at = u.node.end;
      }
      out += text.slice(at, (loop.body as N).end);
      return (loop.body as N).type === 'BlockStatement' ? out : `{ ${out} }`;
    });
    edits.push({ start: loop.start, end: loop.end, text: blocks.join('\n') || ';' });
    unrolled.push(loop);
  }
  if (!edits.length) return source;

  // An alias no read outside the unrolled loops needs any more goes too.
  for (const [name, { statement }] of aliases) {
    let read = false;
    fullAncestor(body as never, (n: unknown, _s: unknown, ancestors: unknown) => {
      const node = n as N;
      if (node.type !== 'Identifier' || node.name !== name || !isReference(node, ancestors as N[])) return;
      if (node.start >= statement.start && node.end <= statement.end) return;
      if (!unrolled.some((l) => node.start >= l.start && node.end <= l.end)) read = true;
    });
    if (!read) edits.push({ start: statement.start, end: statement.end, text: '' });
  }
  edits.sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out.slice(1, -1);

  /** `for (let i = <n>; i < list.length; i += <k>)`: its index name, start, step and option key. */
  function planLoop(loop: N): { index: string; start: number; step: number; list: string } | undefined {
    const init = loop.init as N | null;
    const test = loop.test as N | null;
    const update = loop.update as N | null;
    if (!init || init.type !== 'VariableDeclaration' || init.kind === 'const' || (init.declarations as N[]).length !== 1) return undefined;
    const d = (init.declarations as N[])[0];
    const id = d.id as N;
    const first = d.init as N | null;
    if (id.type !== 'Identifier' || !first || first.type !== 'Literal' || !Number.isInteger(first.value) || (first.value as number) < 0) return undefined;
    const index = id.name as string;
    if (!test || test.type !== 'BinaryExpression' || test.operator !== '<' || (test.left as N).type !== 'Identifier' || (test.left as N).name !== index) return undefined;
    const right = test.right as N;
    if (right.type !== 'MemberExpression' || right.computed || (right.property as N).name !== 'length') return undefined;
    const list = listOf(right.object as N);
    if (!list || !update) return undefined;
    let step: number | undefined;
    if (update.type === 'UpdateExpression' && update.operator === '++' && (update.argument as N).type === 'Identifier' && (update.argument as N).name === index) step = 1;
    if (update.type === 'AssignmentExpression' && update.operator === '+=' && (update.left as N).type === 'Identifier' && (update.left as N).name === index) {
      const k = update.right as N;
      if (k.type === 'Literal' && Number.isInteger(k.value) && (k.value as number) > 0) step = k.value as number;
    }
    return step === undefined ? undefined : { index, start: first.value as number, step, list };
  }

  /**
   * The reads of `index` in a loop body, in source order: `list[index]` or `list[index + k]`
   * (offset k: replaced by the item) and `index` alone (replaced by the number); undefined when
   * the body writes it, leaves the loop early or holds a function.
   */
  function indexUses(loopBody: N, index: string): { node: N; offset?: number }[] | undefined {
    const uses: { node: N; offset?: number }[] = [];
    let ok = true;
    fullAncestor(loopBody as never, (n: unknown, _s: unknown, a: unknown) => {
      const node = n as N;
      const ancestors = a as N[];
      if (/^(Break|Continue)Statement$|Function|^ClassExpression$|^YieldExpression$/.test(node.type)) ok = false;
      if (node.type !== 'Identifier' || node.name !== index || !isReference(node, ancestors)) return;
      const parent = ancestors[ancestors.length - 2];
      if ((parent.type === 'AssignmentExpression' && parent.left === node) || parent.type === 'UpdateExpression') ok = false;
      // list[index] and list[index + k]
      const holder = parent.type === 'BinaryExpression' && parent.operator === '+' && parent.left === node && (parent.right as N).type === 'Literal' && Number.isInteger((parent.right as N).value)
        ? { expr: parent, offset: (parent.right as N).value as number, above: ancestors[ancestors.length - 3] }
        : { expr: node, offset: 0, above: parent };
      const member = holder.above;
      if (member && member.type === 'MemberExpression' && member.computed && member.property === holder.expr && listOf(member.object as N)) {
        uses.push({ node: member, offset: holder.offset });
      } else {
        uses.push({ node });
      }
    });
    if (!ok) return undefined;
    // A use inside another (the index of a list read) is covered by the outer one.
    uses.sort((x, y) => x.node.start - y.node.start);
    return uses.filter((u, k) => !uses.some((v, j) => j !== k && v.node.start <= u.node.start && u.node.end <= v.node.end && v.node !== u.node));
  }

  function literal(value: unknown): string {
    return value === undefined ? 'void 0' : `(${JSON.stringify(value)})`;
  }

}

/** Whether an identifier node reads or writes a variable (not a property name or an object key). */
function isReference(node: N, ancestors: N[]): boolean {
  const parent = ancestors[ancestors.length - 2];
  if (!parent) return true;
  if (parent.type === 'MemberExpression' && parent.property === node && !parent.computed) return false;
  if ((parent.type === 'Property' || parent.type === 'MethodDefinition') && parent.key === node && !parent.computed) return parent.type === 'Property' && parent.shorthand === true;
  return true;
}
