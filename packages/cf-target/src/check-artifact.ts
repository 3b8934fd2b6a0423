import { parse } from 'acorn';
import { simple } from 'acorn-walk';
import { findGlobals as detectGlobals } from '@edgeline/core';
import type { CfRuntime } from '@edgeline/core';
import { es2Lacks } from './syntax-2.js';
import { LACKING_GLOBALS, MAX_BYTES, MODULES, lackingMethodName, lacksMethod } from './rules.js';

/** What is wrong with generated code, each a sentence a user can act on. */
export interface ArtifactProblem {
  check: 'syntax' | 'handler' | 'module' | 'global' | 'method' | 'size';
  message: string;
}

interface Node {
  type: string;
  [key: string]: any;
}

/**
 * The last gate before anything is written: the artifact as CloudFront will read it.
 * Runtime 1.0 must parse as ECMAScript 5.1; both need a top-level `function handler`, only
 * their modules, none of the built-ins they lack, and at most 10,240 bytes.
 */
export function checkArtifact(code: string, runtime: CfRuntime): ArtifactProblem[] {
  const problems: ArtifactProblem[] = [];
  const isModule = /^\s*import\s/m.test(code);
  let ast: Node;
  try {
    ast = parse(code, {
      ecmaVersion: runtime === 'cloudfront-js-1.0' ? 5 : 2017,
      sourceType: isModule ? 'module' : 'script',
    }) as unknown as Node;
  } catch (e) {
    return [{ check: 'syntax', message: `does not parse as ${runtime === 'cloudfront-js-1.0' ? 'ECMAScript 5.1' : 'the cloudfront-js-2.0 syntax'}: ${(e as Error).message}` }];
  }
  if (runtime === 'cloudfront-js-2.0') {
    const lacks = es2Lacks(code);
    if (lacks.length) return [{ check: 'syntax', message: `uses ${lacks.join(', ')}, which cloudfront-js-2.0 lacks` }];
  }
  const hasHandler = (ast.body as Node[]).some((n) => n.type === 'FunctionDeclaration' && n.id?.name === 'handler');
  if (!hasHandler) problems.push({ check: 'handler', message: 'has no top-level `function handler(event)`' });
  if ((ast.body as Node[]).some((n) => n.type === 'ExportNamedDeclaration' || n.type === 'ExportDefaultDeclaration')) {
    problems.push({ check: 'handler', message: 'has an export: CloudFront Functions are plain scripts' });
  }
  simple(ast as any, {
    CallExpression(node: any) {
      if (node.callee.type === 'Identifier' && node.callee.name === 'require') {
        const arg = node.arguments[0];
        const name = arg && arg.type === 'Literal' ? String(arg.value) : '<computed>';
        if (MODULES[runtime].indexOf(name) < 0) problems.push({ check: 'module', message: `requires '${name}', which ${runtime} does not offer` });
      }
      if (node.callee.type === 'MemberExpression' && !node.callee.computed) {
        const method = node.callee.property.name;
        const owner = node.callee.object.type === 'Identifier' ? node.callee.object.name : '';
        if (lacksMethod(method, owner, runtime)) {
          problems.push({ check: 'method', message: `calls ${lackingMethodName(method)}, which ${runtime} lacks` });
        }
      }
    },
    ImportDeclaration(node: any) {
      if (MODULES[runtime].indexOf(node.source.value) < 0) problems.push({ check: 'module', message: `imports '${node.source.value}', which ${runtime} does not offer` });
    },
  });
  for (const g of detectGlobals(code)) {
    // TypeScript's helpers probe `typeof Symbol === "function" && ...`: a probed name is guarded.
    // Hooks' own unguarded uses are caught per hook, with the middleware named (scan-hooks.ts).
    if (g.nodes.some((n) => isTypeofOperand(n))) continue;
    if (LACKING_GLOBALS[runtime].indexOf(g.name) >= 0) problems.push({ check: 'global', message: `uses ${g.name}, which ${runtime} lacks` });
    if (g.name === 'eval' || g.name === 'Function') problems.push({ check: 'global', message: `uses ${g.name}, which CloudFront Functions forbid` });
  }
  const bytes = Buffer.byteLength(code);
  if (bytes > MAX_BYTES) problems.push({ check: 'size', message: `is ${bytes} bytes, over the ${MAX_BYTES}-byte limit` });
  return problems;
}

function isTypeofOperand(node: unknown): boolean {
  const parents = (node as { parents?: Node[] }).parents;
  const parent = parents && parents[parents.length - 2];
  return !!parent && parent.type === 'UnaryExpression' && parent.operator === 'typeof';
}
