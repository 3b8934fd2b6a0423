/** njs's querystring.unescape, when it turns '+' into ' ' (Node's keeps '+'); checked once, on first use. */
let unescapePlus: ((s: string) => string) | null | undefined;

function nativeUnescape(): ((s: string) => string) | null {
  if (unescapePlus !== undefined) return unescapePlus;
  unescapePlus = null;
  try {
    // njs has require on the global object; reached there, a bundler does not shim it (~600 bytes).
    const load = typeof globalThis === 'object' ? (globalThis as { require?: (id: string) => unknown }).require : undefined;
    const qs = typeof load === 'function' && (load('querystring') as { unescape?: (s: string) => string });
    if (qs && typeof qs.unescape === 'function' && qs.unescape('+') === ' ') unescapePlus = qs.unescape;
  } catch (e) {
    // no querystring module: split and join
  }
  return unescapePlus;
}

/**
 * decodeURIComponent of a form-encoded value (`+` is a space) that never throws: a value with a
 * bad escape (`%zz`) is returned as it came. In njs, `split('+')` makes a string per '+' (~400
 * instructions each): once decodeURIComponent has found every escape valid, njs's native
 * querystring.unescape gives the same result in one pass (it is lenient only where
 * decodeURIComponent throws).
 */
export function safeDecode(value: string): string {
  const hasPlus = value.indexOf('+') >= 0;
  if (value.indexOf('%') < 0 && !hasPlus) return value;
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch (e) {
    return value;
  }
  if (!hasPlus) return decoded;
  const unescape = nativeUnescape();
  return unescape ? unescape(value) : decodeURIComponent(value.split('+').join(' '));
}
