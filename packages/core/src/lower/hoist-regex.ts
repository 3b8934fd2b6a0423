import { parse } from 'acorn';
import { simple } from 'acorn-walk';

interface RegexLiteral {
  start: number;
  end: number;
  regex?: { pattern: string; flags: string };
}

/**
 * Moves a function's regular expression literals to module level, where they are built once:
 * V8 makes a new RegExp object each time a literal is evaluated, which on Lambda@Edge costs a
 * request about as much as the match. Literals with the `g` or `y` flag keep their place: they
 * carry `lastIndex` from one use to the next, so sharing one could change what a hook matches.
 * `declared` maps each literal's source text to its module-level name (shared across hooks).
 */
export function hoistRegexLiterals(source: string, declared: Map<string, string>): string {
  let ast;
  try {
    ast = parse(`(${source})`, { ecmaVersion: 'latest' });
  } catch {
    return source;
  }
  const found: RegexLiteral[] = [];
  simple(ast as never, {
    Literal(node: RegexLiteral) {
      if (node.regex && !/[gy]/.test(node.regex.flags)) found.push(node);
    },
  } as never);
  let out = source;
  for (const node of found.sort((a, b) => b.start - a.start)) {
    const text = `/${node.regex!.pattern}/${node.regex!.flags}`;
    let name = declared.get(text);
    if (!name) {
      name = `__edge_re${declared.size}`;
      declared.set(text, name);
    }
    // Positions are in `(${source})`: one to the left in `source`.
    out = out.slice(0, node.start - 1) + name + out.slice(node.end - 1);
  }
  return out;
}

interface RegExpCall {
  type: string;
  start: number;
  end: number;
  callee: { type: string; name?: string };
  arguments: { type: string; value?: unknown }[];
}

/**
 * Writes `new RegExp('^a/b$', 'i')` with literal arguments (an option inlined into a hook) as the
 * literal `/^a\/b$/i`: njs compiles a RegExp built at run time on every request (~10x the match),
 * a literal once with the script. Only patterns of ES5 syntax with flags `g`, `i`, `m` are
 * written so, whose syntax both engines accept: an engine parses a literal with the whole
 * function, where a bad `new RegExp` fails only the request that reaches it.
 */
export function regexLiteralsFromStrings(source: string): string {
  if (source.indexOf('RegExp') < 0) return source;
  let ast;
  try {
    ast = parse(`(${source})`, { ecmaVersion: 'latest' });
  } catch {
    return source;
  }
  const found: { start: number; end: number; text: string }[] = [];
  const visit = (node: RegExpCall) => {
    const text = node.callee.type === 'Identifier' && node.callee.name === 'RegExp' ? literalOf(node.arguments) : undefined;
    if (text) found.push({ start: node.start, end: node.end, text });
  };
  simple(ast as never, { NewExpression: visit, CallExpression: visit } as never);
  let out = source;
  for (const f of found.sort((a, b) => b.start - a.start)) out = out.slice(0, f.start - 1) + f.text + out.slice(f.end - 1);
  return out;
}

function literalOf(args: RegExpCall['arguments']): string | undefined {
  if (args.length < 1 || args.length > 2 || args.some((a) => a.type !== 'Literal' || typeof a.value !== 'string')) return undefined;
  const pattern = args[0].value as string;
  const flags = args.length > 1 ? (args[1].value as string) : '';
  if (!/^[gim]*$/.test(flags) || /\(\?<|\\[pPk]/.test(pattern)) return undefined;
  let text: string;
  try {
    const re = new RegExp(pattern, flags);
    text = `/${re.source}/${re.flags}`;
    parse(`(${text})`, { ecmaVersion: 5 });
  } catch {
    return undefined;
  }
  return text;
}
