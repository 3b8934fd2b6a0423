import { parse } from 'acorn';
import { findGlobals as detectGlobals } from './lower/globals.js';
import { NotPortableError } from './errors.js';
import type { Config } from './middleware.js';

/**
 * Hooks reach an artifact as source text, the way a browser automation tool ships a function
 * to a page: so they may use their parameters, globals and `require`, but nothing captured
 * from an enclosing scope. This turns a hook into a function expression and proves that.
 */
export function hookSource(middleware: string, hook: 'request' | 'response', fn: Function): string {
  // An ESM bundle (esbuild, tsup) renames a hook's require(...) to its __require shim: undo it.
  return portableSource(middleware, hook, Function.prototype.toString.call(fn));
}

/**
 * As hookSource, for a hook given as source text (a middleware's direct lowering). `rename`
 * maps free names the source may use (its constants) to the names they get in the artifact.
 */
export function portableSource(middleware: string, hook: string, source: string, rename: Record<string, string> = {}): string {
  // A build asks for the same hook several times (the artifact, its size table, each target):
  // the answer depends on the text alone, and parsing it is most of a cold build's CPU.
  const key = `${middleware}\0${hook}\0${JSON.stringify(rename)}\0${source}`;
  const known = portableCache.get(key);
  if (known !== undefined) return known;
  const text = source.replace(/\b__require\(/g, 'require(');
  const candidates = [text, `function ${text}`, text.replace(/^async\s+/, 'async function ')];
  for (const candidate of candidates) {
    const program = functionExpressionProgram(candidate);
    if (program) {
      const out = renameFree(candidate, checkNoCapture(middleware, hook, program, rename));
      portableCache.set(key, out);
      return out;
    }
  }
  throw new NotPortableError(middleware, `its ${hook} hook is not a plain function (got: ${text.slice(0, 60)}...)`);
}

const portableCache = new Map<string, string>();

type Program = { type: string; body: { type: string; expression?: { type: string } }[] };

/** `(source)` parsed, when it is one function expression; else undefined. */
function functionExpressionProgram(source: string): Program | undefined {
  try {
    const program = parse(`(${source})`, { ecmaVersion: 'latest' }) as unknown as Program;
    const stmt = program.body[0];
    const ok =
      program.body.length === 1 &&
      stmt.type === 'ExpressionStatement' &&
      (stmt.expression?.type === 'FunctionExpression' || stmt.expression?.type === 'ArrowFunctionExpression');
    return ok ? program : undefined;
  } catch {
    return undefined;
  }
}

const ALLOWED_FREE = new Set(['require', 'arguments']);

interface FreeName {
  name: string;
  nodes: { start: number; end: number }[];
}

/** Throws on a free name that is neither a global nor in `rename`; returns those in `rename`. */
interface Edit {
  at: number;
  length: number;
  to: string;
}

function checkNoCapture(middleware: string, hook: string, program: Program, rename: Record<string, string> = {}): Edit[] {
  const globals = detectGlobals(program as unknown as Parameters<typeof detectGlobals>[0]) as FreeName[];
  const own = (name: string) => Object.prototype.hasOwnProperty.call(rename, name);
  const free = globals
    .map((g) => g.name)
    .filter((name: string) => !ALLOWED_FREE.has(name) && !(name in globalThis) && !own(name));
  if (free.length) {
    throw new NotPortableError(
      middleware,
      `its ${hook} hook uses ${free.map((n: string) => `'${n}'`).join(', ')} from outside the hook. ` +
        'Hooks are lowered as source text: compute values in the factory and pass them as `config`, ' +
        "define helpers inside the hook, or load modules with require('...') inside it",
    );
  }
  const edits: Edit[] = [];
  // Positions are in `(${source})`: one to the left in `source`.
  for (const g of globals) if (own(g.name)) for (const n of g.nodes) edits.push({ at: n.start - 1, length: n.end - n.start, to: rename[g.name] });
  return edits;
}

function renameFree(source: string, edits: Edit[]): string {
  let out = source;
  for (const e of [...edits].sort((a, b) => b.at - a.at)) out = out.slice(0, e.at) + e.to + out.slice(e.at + e.length);
  return out;
}

/** The config as a JS literal; anything that would not survive the trip (functions, NaN, cycles) is refused. */
export function configLiteral(middleware: string, config: Config): string {
  let json: string;
  try {
    json = JSON.stringify(config);
  } catch (e) {
    throw new NotPortableError(middleware, `its config cannot be serialized: ${(e as Error).message}`);
  }
  if (json === undefined || JSON.stringify(JSON.parse(json)) !== JSON.stringify(config, replacerStrict(middleware))) {
    throw new NotPortableError(middleware, 'its config must be plain data (strings, numbers, booleans, null, arrays, objects)');
  }
  return json;
}

function replacerStrict(middleware: string) {
  return (_key: string, value: unknown) => {
    if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') {
      throw new NotPortableError(middleware, `its config holds a ${typeof value}, which cannot be inlined`);
    }
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new NotPortableError(middleware, 'its config holds a non-finite number, which cannot be inlined');
    }
    return value;
  };
}
