/**
 * Where two JSON values differ, one line per place: a value only one side has, a value that is
 * not the same, and objects whose keys come in another order (CloudFront keeps the order of
 * headers, cookies and query parameters, so that is a difference too).
 * @example differences({ a: 1, b: 2 }, { b: 2, a: 3 }, ['vm', 'njs'])
 *   // ['a: vm 1, njs 3', '(top): key order: vm [a, b], njs [b, a]']
 */
export function differences(a: unknown, b: unknown, labels: [string, string], path = ''): string[] {
  const [la, lb] = labels;
  const here = path || '(top)';
  if (isObject(a) && isObject(b)) {
    const out: string[] = [];
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    for (const k of ka) {
      const p = join(path, k);
      if (!has(b, k)) out.push(`${p}: only ${la} has it: ${show(a[k])}`);
      else out.push(...differences(a[k], b[k], labels, p));
    }
    for (const k of kb) if (!has(a, k)) out.push(`${join(path, k)}: only ${lb} has it: ${show(b[k])}`);
    const common = (keys: string[], other: Record<string, unknown>) => keys.filter((k) => has(other, k));
    const oa = common(ka, b);
    const ob = common(kb, a);
    if (oa.join('\u0000') !== ob.join('\u0000')) out.push(`${here}: key order: ${la} [${oa.join(', ')}], ${lb} [${ob.join(', ')}]`);
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    return a.flatMap((v, i) => differences(v, b[i], labels, `${path}[${i}]`));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [`${here}: ${la} ${show(a)}, ${lb} ${show(b)}`];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function has(o: Record<string, unknown>, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

function join(path: string, key: string): string {
  const part = /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
  if (!path) return /^[A-Za-z_$][\w$]*$/.test(key) ? key : `[${part}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${part}]`;
}

function show(v: unknown): string {
  const s = v === undefined ? 'undefined' : JSON.stringify(v);
  return s.length > 200 ? `${s.slice(0, 200)}… (${s.length} chars)` : s;
}
