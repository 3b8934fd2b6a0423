import { parse } from 'acorn';
import { full } from 'acorn-walk';

const SHORTHAND = 'shorthand properties ({ a })';
const METHOD = 'method shorthand ({ f() {} })';

/** A node of an acorn AST, as far as the gate reads it. */
interface Node {
  type: string;
  start: number;
  [key: string]: unknown;
}

/**
 * What cloudfront-js-2.0 runs beyond ES5.1 (../shared/docs/runtimes.md, AWS "JavaScript runtime
 * 2.0 features"): `const`, `let`, arrow functions, template literals, rest parameters, `**`,
 * `async`/`await`, and `import cf from 'cloudfront'`. Classes, destructuring, spread, default
 * parameters, generators, `for...of`, object-literal shorthand and computed keys, tagged
 * templates, `new.target` and optional chaining are not listed, so they are treated as absent.
 * @returns the constructs the code uses that 2.0 lacks, each once, in order of first use
 */
export function es2Lacks(code: string): string[] {
  const isModule = /^\s*import\s/m.test(code);
  let ast: Node;
  try {
    ast = parse(code, { ecmaVersion: 2017, sourceType: isModule ? 'module' : 'script' }) as unknown as Node;
  } catch (e) {
    return [`syntax beyond ES2017 (${(e as Error).message})`];
  }
  const found: string[] = [];
  const add = (what: string) => {
    if (found.indexOf(what) < 0) found.push(what);
  };
  full(ast as never, (n) => {
    const node = n as unknown as Node;
    const what = lacking(node);
    if (what) add(what);
  });
  return found;
}

function lacking(node: Node): string | undefined {
  switch (node.type) {
    case 'ClassDeclaration':
    case 'ClassExpression':
    case 'Super':
      return 'classes';
    case 'ObjectPattern':
    case 'ArrayPattern':
      return 'destructuring';
    case 'SpreadElement':
      return 'spread (...)';
    case 'AssignmentPattern':
      return 'default parameters';
    case 'ForOfStatement':
      return 'for...of';
    case 'TaggedTemplateExpression':
      return 'tagged templates';
    case 'MetaProperty':
      return 'new.target';
    case 'YieldExpression':
      return 'generators';
    case 'FunctionDeclaration':
    case 'FunctionExpression':
      return node.generator ? 'generators' : undefined;
    case 'Property':
      if (node.shorthand) return SHORTHAND;
      if (node.method) return METHOD;
      if (node.computed) return 'computed property names ({ [k]: v })';
      return undefined;
    case 'ImportDeclaration':
    case 'ImportExpression':
    case 'ExportNamedDeclaration':
    case 'ExportDefaultDeclaration':
    case 'ExportAllDeclaration':
      return isCloudfrontImport(node) ? undefined : 'modules other than `import cf from \'cloudfront\'`';
    default:
      return undefined;
  }
}

function isCloudfrontImport(node: Node): boolean {
  if (node.type !== 'ImportDeclaration') return false;
  const specifiers = node.specifiers as Node[];
  return (node.source as { value: unknown }).value === 'cloudfront' && specifiers.length === 1 && specifiers[0].type === 'ImportDefaultSpecifier';
}

/**
 * The code in runtime 2.0's syntax, or undefined where that takes more than writing out object
 * shorthand: `{ a }` becomes `{ a: a }` and `{ f() {} }` becomes `{ f: function () {} }`
 * (bundlers write both; every other construct 2.0 lacks is left to the ES5 lowering).
 */
export function toEs2(code: string): string | undefined {
  const lacks = es2Lacks(code);
  if (!lacks.length) return code;
  if (lacks.some((l) => l !== SHORTHAND && l !== METHOD)) return undefined;
  const isModule = /^\s*import\s/m.test(code);
  const ast = parse(code, { ecmaVersion: 2017, sourceType: isModule ? 'module' : 'script' }) as unknown as Node;
  const edits: { from: number; to: number; text: string }[] = [];
  full(ast as never, (n) => {
    const node = n as unknown as Node;
    if (node.type !== 'ObjectExpression') return;
    for (const p of node.properties as Node[]) {
      if (p.type !== 'Property') continue;
      const key = p.key as Node & { end: number };
      const value = p.value as Node & { async?: boolean };
      const keyText = code.slice(key.start, key.end);
      if (p.shorthand) edits.push({ from: key.start, to: key.start, text: `${keyText}: ` });
      else if (p.method) edits.push({ from: p.start, to: value.start, text: `${keyText}: ${value.async ? 'async ' : ''}function` });
    }
  });
  edits.sort((a, b) => b.from - a.from);
  let out = code;
  for (const e of edits) out = out.slice(0, e.from) + e.text + out.slice(e.to);
  return es2Lacks(out).length ? undefined : out;
}
