import { parse } from 'acorn';
import { full } from 'acorn-walk';

interface Ident {
  type: string;
  start: number;
  end: number;
  name: string;
}

/**
 * esbuild keeps a script's top-level names (they could be globals another script reads), so
 * the `__edge_*` functions and tables of generated code would cost their full names in every
 * call. Nothing but the handler is read from outside a CloudFront Function: this gives each
 * `__edge_*` name a short one that appears nowhere in the code, so it cannot be shadowed.
 */
export function shortenGeneratedNames(code: string): string {
  let program;
  try {
    program = parse(code, { ecmaVersion: 'latest', sourceType: 'script' });
  } catch {
    return code; // the artifact check reports what is wrong with it
  }
  const names = new Set<string>();
  const refs: Ident[] = [];
  full(program, (node) => {
    if (node.type !== 'Identifier') return;
    const id = node as unknown as Ident;
    names.add(id.name);
    if (id.name.indexOf('__edge_') === 0) refs.push(id);
  });
  const short = new Map<string, string>();
  let n = 0;
  for (const ref of refs) {
    if (short.has(ref.name)) continue;
    let name: string;
    do name = shortName(n++);
    while (names.has(name));
    short.set(ref.name, name);
  }
  let out = '';
  let pos = 0;
  for (const ref of refs.sort((a, b) => a.start - b.start)) {
    out += code.slice(pos, ref.start) + short.get(ref.name);
    pos = ref.end;
  }
  return out + code.slice(pos);
}

/** `$a`, `$b`... `$Z`, then `$aa`...: `$` is no njs global, and esbuild's own names are letters first. */
function shortName(n: number): string {
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let s = '';
  do {
    s = letters[n % letters.length] + s;
    n = Math.floor(n / letters.length) - 1;
  } while (n >= 0);
  return '$' + s;
}
