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
