import { findGlobals as detectGlobals, scanHook, type CfRuntime, type EmittedHook, type Middleware, type Violation } from '@edgeline/core';
import { parse } from 'acorn';
import { simple } from 'acorn-walk';
import { LACKING_GLOBALS, MODULES, lackingMethodFix, lackingMethodName, lacksMethod } from './rules.js';

const FIX_LAMBDA = 'use --target lambda';
/** Timers need 'async' elsewhere; CloudFront Functions have none at all. */
const TIMERS = ['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask'];

/**
 * Reads each hook's own code, so a rejection names the middleware a construct came from:
 * undeclared capabilities, modules and built-ins the runtime lacks, eval.
 */
export function scanHooks(hooks: readonly EmittedHook[], middleware: readonly Middleware[], runtime: CfRuntime): Violation[] {
  const out: Violation[] = [];
  const seen = new Set<string>();
  const push = (v: Violation) => {
    const key = `${v.middleware}|${v.capability}|${v.construct}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(v);
    }
  };
  for (const hook of hooks) {
    const mw = middleware[hook.index];
    const needs = mw.needs as readonly string[];
    const findings = scanHook(hook.source);
    const found = (name: string) => findings.some((f) => f.construct === name || ['.', '[', '?', ' '].some((c) => f.construct.indexOf(name + c) === 0));
    for (const f of findings) {
      if (f.construct === 'import()') {
        push({
          middleware: mw.name, capability: null, construct: f.construct, target: runtime,
          why: `its ${hook.hook} hook calls import(): CloudFront Functions cannot load a module at run time`,
          fix: runtime === 'cloudfront-js-2.0' ? `require('crypto') (or another of ${MODULES[runtime].join(', ')}) at the top of the hook, or ${FIX_LAMBDA}` : `require('crypto') or require('querystring'), or ${FIX_LAMBDA}`,
        });
        continue;
      }
      if (f.module !== undefined) {
        if (MODULES[runtime].indexOf(f.module) < 0) {
          push({
            middleware: mw.name, capability: f.capability ?? null, construct: f.construct, target: runtime,
            why: `${runtime} offers only the modules ${MODULES[runtime].join(', ')}`,
            fix: f.capability ? FIX_LAMBDA : `${FIX_LAMBDA}, or inline what the module does`,
          });
        }
        continue;
      }
      if (f.escape) {
        push({ middleware: mw.name, capability: null, construct: f.construct, target: runtime, why: `its ${hook.hook} hook ${f.escape.why}`, fix: f.escape.fix });
        continue;
      }
      if (f.capability === undefined || TIMERS.indexOf(f.construct) >= 0) {
        push({
          middleware: mw.name, capability: null, construct: f.construct, target: runtime,
          why: `CloudFront Functions forbid ${f.construct}`, fix: `remove ${f.construct}`,
        });
        continue;
      }
      if (needs.indexOf(f.capability) < 0) {
        push({
          middleware: mw.name, capability: f.capability, construct: f.construct, target: runtime,
          why: `its ${hook.hook} hook uses ${f.construct} but the middleware does not declare '${f.capability}'`,
          fix: `add '${f.capability}' to the middleware's needs (then build for a target that offers it)`,
        });
      }
    }
    for (const method of lackingMethodsCalled(hook.source, runtime)) {
      push({
        middleware: mw.name, capability: null, construct: lackingMethodName(method), target: runtime,
        why: `its ${hook.hook} hook calls ${lackingMethodName(method)}, which ${runtime} lacks`,
        fix: lackingMethodFix(method),
      });
    }
    for (const g of detectGlobals(`(${hook.source})`)) {
      if (LACKING_GLOBALS[runtime].indexOf(g.name) >= 0 && !found(g.name)) {
        push({
          middleware: mw.name, capability: null, construct: g.name, target: runtime,
          why: `${runtime} has no ${g.name}`,
          fix: g.name === 'Promise' || g.name === 'Buffer' ? 'use --runtime cloudfront-js-2.0, or --target lambda' : `write it without ${g.name}, or ${FIX_LAMBDA}`,
        });
      }
    }
  }
  return out;
}

/** Methods the runtime lacks that a hook calls as `x.method(...)`, in order of appearance. */
function lackingMethodsCalled(source: string, runtime: CfRuntime): string[] {
  const found: string[] = [];
  let ast;
  try {
    ast = parse(`(${source})`, { ecmaVersion: 'latest' });
  } catch {
    return found; // scanHook reports what does not parse
  }
  simple(ast as never, {
    CallExpression(node: { callee: { type: string; computed?: boolean; object?: { type: string; name?: string }; property?: { name?: string } } }) {
      const callee = node.callee;
      if (callee.type !== 'MemberExpression' || callee.computed || !callee.property?.name) return;
      const owner = callee.object?.type === 'Identifier' ? callee.object.name ?? '' : '';
      if (lacksMethod(callee.property.name, owner, runtime) && found.indexOf(callee.property.name) < 0) found.push(callee.property.name);
    },
  } as never);
  return found;
}
