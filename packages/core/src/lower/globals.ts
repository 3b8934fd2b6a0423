// The free names of a script or function: a port of acorn-globals 7.0.1 (MIT, Copyright (c) 2014
// Forbes Lindesay) to this package's ES module acorn. Required as CommonJS, acorn-globals loads a
// second copy of acorn (CommonJS) beside the one the build already runs: ~50 ms of a cold build.
import { parse } from 'acorn';
import { ancestor } from 'acorn-walk';

/** A node of the walk, as far as the scope analysis reads it. */
export interface GlobalNode {
  type: string;
  start: number;
  end: number;
  name?: string;
  /** The node's ancestors, outermost first, itself last. */
  parents?: GlobalNode[];
  locals?: Record<string, true>;
  [key: string]: unknown;
}

export interface FreeGlobal {
  name: string;
  nodes: GlobalNode[];
}

const PARSE = { allowReturnOutsideFunction: true, allowImportExportEverywhere: true, allowHashBang: true, ecmaVersion: 'latest' } as const;

function isScope(node: GlobalNode): boolean {
  return node.type === 'FunctionExpression' || node.type === 'FunctionDeclaration' || node.type === 'ArrowFunctionExpression' || node.type === 'Program';
}

function isBlockScope(node: GlobalNode): boolean {
  // The body of a switch statement is a block.
  return node.type === 'BlockStatement' || node.type === 'SwitchStatement' || isScope(node);
}

function declaresArguments(node: GlobalNode): boolean {
  return node.type === 'FunctionExpression' || node.type === 'FunctionDeclaration';
}

function localsOf(node: GlobalNode): Record<string, true> {
  return node.locals || (node.locals = Object.create(null) as Record<string, true>);
}

/**
 * The names a script (or an acorn Program) reads without declaring them, each with the nodes
 * that name it (each node's `parents` set), sorted by name; `this` outside functions too.
 */
export function findGlobals(source: string | GlobalNode): FreeGlobal[] {
  const ast = (typeof source === 'string' ? parse(source, PARSE) : source) as unknown as GlobalNode;
  if (!ast || ast.type !== 'Program') throw new TypeError('Source must be either a string of JavaScript or an acorn AST');
  const globals: GlobalNode[] = [];

  function declarePattern(node: GlobalNode, parent: GlobalNode): void {
    switch (node.type) {
      case 'Identifier':
        localsOf(parent)[node.name as string] = true;
        break;
      case 'ObjectPattern':
        for (const p of node.properties as GlobalNode[]) declarePattern((p.value || p.argument) as GlobalNode, parent);
        break;
      case 'ArrayPattern':
        for (const e of node.elements as (GlobalNode | null)[]) if (e) declarePattern(e, parent);
        break;
      case 'RestElement':
        declarePattern(node.argument as GlobalNode, parent);
        break;
      case 'AssignmentPattern':
        declarePattern(node.left as GlobalNode, parent);
        break;
      default:
        throw new Error('Unrecognized pattern type: ' + node.type);
    }
  }
  function declareFunction(node: GlobalNode): void {
    localsOf(node);
    for (const p of node.params as GlobalNode[]) declarePattern(p, node);
    if (node.id) localsOf(node)[(node.id as GlobalNode).name as string] = true;
  }
  function declareClass(node: GlobalNode): void {
    localsOf(node);
    if (node.id) localsOf(node)[(node.id as GlobalNode).name as string] = true;
  }
  function declareModuleSpecifier(node: GlobalNode): void {
    localsOf(ast)[(node.local as GlobalNode).name as string] = true;
  }
  function enclosing(parents: GlobalNode[], from: number, test: (n: GlobalNode) => boolean): GlobalNode {
    for (let i = from; i >= 0; i--) if (test(parents[i])) return parents[i];
    return ast;
  }
  ancestor(ast as never, {
    VariableDeclaration(n: unknown, _s: unknown, p: unknown) {
      const node = n as GlobalNode;
      const parents = p as GlobalNode[];
      const parent = enclosing(parents, parents.length - 1, node.kind === 'var' ? isScope : isBlockScope);
      for (const d of node.declarations as GlobalNode[]) declarePattern(d.id as GlobalNode, parent);
    },
    FunctionDeclaration(n: unknown, _s: unknown, p: unknown) {
      const node = n as GlobalNode;
      const parents = p as GlobalNode[];
      const parent = enclosing(parents, parents.length - 2, isScope);
      if (node.id) localsOf(parent)[(node.id as GlobalNode).name as string] = true;
      declareFunction(node);
    },
    Function(n: unknown) {
      declareFunction(n as GlobalNode);
    },
    ClassDeclaration(n: unknown, _s: unknown, p: unknown) {
      const node = n as GlobalNode;
      const parents = p as GlobalNode[];
      const parent = enclosing(parents, parents.length - 2, isBlockScope);
      if (node.id) localsOf(parent)[(node.id as GlobalNode).name as string] = true;
      declareClass(node);
    },
    Class(n: unknown) {
      declareClass(n as GlobalNode);
    },
    TryStatement(n: unknown) {
      const handler = (n as GlobalNode).handler as GlobalNode | null;
      if (handler === null || handler.param === null) return;
      localsOf(handler);
      declarePattern(handler.param as GlobalNode, handler);
    },
    ImportDefaultSpecifier: declareModuleSpecifier,
    ImportSpecifier: declareModuleSpecifier,
    ImportNamespaceSpecifier: declareModuleSpecifier,
  } as never);
  function identifier(n: unknown, _s: unknown, p: unknown): void {
    const node = n as GlobalNode;
    const parents = p as GlobalNode[];
    const name = node.name as string;
    if (name === 'undefined') return;
    for (let i = 0; i < parents.length; i++) {
      if (name === 'arguments' && declaresArguments(parents[i])) return;
      const locals = parents[i].locals;
      if (locals && name in locals) return;
    }
    node.parents = parents.slice();
    globals.push(node);
  }
  ancestor(ast as never, {
    VariablePattern: identifier,
    Identifier: identifier,
    ThisExpression(n: unknown, _s: unknown, p: unknown) {
      const node = n as GlobalNode;
      const parents = p as GlobalNode[];
      for (let i = 0; i < parents.length; i++) {
        const parent = parents[i];
        if (parent.type === 'FunctionExpression' || parent.type === 'FunctionDeclaration') return;
        if (parent.type === 'PropertyDefinition' && parents[i + 1] === parent.value) return;
      }
      node.parents = parents.slice();
      globals.push(node);
    },
  } as never);
  const grouped = Object.create(null) as Record<string, GlobalNode[]>;
  for (const node of globals) {
    const name = node.type === 'ThisExpression' ? 'this' : (node.name as string);
    (grouped[name] || (grouped[name] = [])).push(node);
  }
  return Object.keys(grouped).sort().map((name) => ({ name, nodes: grouped[name] }));
}
