import { parse } from 'acorn';
import { simple } from 'acorn-walk';
import { METHOD_FLAGS, type EmittedHook, type FeatureFlag } from '@edgeline/core';

/**
 * Which parts of the adapters an artifact needs, from what its hooks touch: the rest is
 * compiled out (esbuild `define` + dead-code elimination). Conservative where code is dynamic:
 * a computed member access keeps every map method.
 */
export function featureDefines(hooks: readonly EmittedHook[], configs: readonly string[]): Record<FeatureFlag, string> {
  const props = new Set<string>();
  let computed = false;
  for (const h of hooks) {
    const ast = parse(`(${h.source})`, { ecmaVersion: 'latest' }) as any;
    const fn = ast.body[0].expression;
    const ctxName = fn.params[0] && fn.params[0].type === 'Identifier' ? fn.params[0].name : undefined;
    simple(ast, {
      MemberExpression(node: any) {
        // Only a computed access on the context (`ctx.request.headers[m]`) can reach what the scan did not see.
        if (node.computed && node.property.type !== 'Literal') computed = computed || rootName(node.object) === ctxName;
        else props.add(node.computed ? String(node.property.value) : node.property.name);
      },
    });
  }
  const text = hooks.map((h) => h.source).concat(configs).join('\n');
  const on = (b: boolean) => (b ? 'true' : 'false');
  const query = props.has('querystring');
  const defines = {
    __EDGE_QUERY__: on(query),
    __EDGE_COOKIES__: on(props.has('cookies')),
    __EDGE_SET_COOKIE__: on(/set-cookie/i.test(text) || computed),
    __EDGE_ORIGIN__: on(props.has('setOrigin')),
    __EDGE_KVS__: on(props.has('kvs')),
    __EDGE_HEADERS__: on(computed || props.has('headers')),
    __EDGE_REQUEST__: on(computed || props.has('request')),
    __EDGE_VIEWER__: on(computed || props.has('viewer')),
    __EDGE_EVENT_TYPE__: on(computed || props.has('eventType')),
    __EDGE_REQUEST_ID__: on(computed || props.has('requestId')),
    __EDGE_RESPOND__: on(computed || props.has('respond')),
    __EDGE_REDIRECT__: on(computed || props.has('redirect')),
    __EDGE_STATUS_TEXT__: on(computed || props.has('statusDescription')),
  } as Record<FeatureFlag, string>;
  for (const [method, flag] of METHOD_FLAGS) defines[flag] = on(computed || props.has(method) || (method === 'toString' && query));
  return defines;
}

function rootName(node: any): string | undefined {
  while (node.type === 'MemberExpression') node = node.object;
  return node.type === 'Identifier' ? node.name : undefined;
}
