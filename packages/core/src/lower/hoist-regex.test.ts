import { describe, expect, it } from 'vitest';
import { hoistRegexLiterals, regexLiteralsFromStrings } from './hoist-regex.js';

describe('hoistRegexLiterals', () => {
  it('moves literals without g or y to shared module-level names', () => {
    const declared = new Map<string, string>();
    const a = hoistRegexLiterals('function (s) { return /^a+$/i.test(s) && s.replace(/b/g, "c") !== s.replace(/^a+$/i, ""); }', declared);
    expect(a).toBe('function (s) { return __edge_re0.test(s) && s.replace(/b/g, "c") !== s.replace(__edge_re0, ""); }');
    expect([...declared]).toEqual([['/^a+$/i', '__edge_re0']]);
    const b = hoistRegexLiterals('function (s) { return /x\\/y/.exec(s) || /^a+$/i.test(s); }', declared);
    expect(b).toBe('function (s) { return __edge_re1.exec(s) || __edge_re0.test(s); }');
  });

  it('leaves source it cannot parse as it is', () => {
    expect(hoistRegexLiterals('not a function (', new Map())).toBe('not a function (');
  });
});

describe('regexLiteralsFromStrings', () => {
  it('writes new RegExp / RegExp of literal strings as literals, escaping /', () => {
    expect(regexLiteralsFromStrings('function (c) { return new RegExp(("^https:/\\\\/a\\\\.b$"), ("i")).test(c); }')).toBe('function (c) { return /^https:\\/\\/a\\.b$/i.test(c); }');
    expect(regexLiteralsFromStrings("function (c) { return RegExp('a+').test(c) && new RegExp('').test(c); }")).toBe('function (c) { return /a+/.test(c) && /(?:)/.test(c); }');
  });

  it('leaves what a literal would change: computed arguments, other flags, named groups, lookbehind, bad patterns', () => {
    for (const src of [
      'function (c, p) { return new RegExp(p).test(c); }',
      "function (c) { return new RegExp('a', 'u').test(c); }",
      "function (c) { return new RegExp('a', 'y').test(c); }",
      "function (c) { return new RegExp('(?<n>a)').test(c); }",
      "function (c) { return new RegExp('(?<=a)b').test(c); }",
      "function (c) { return new RegExp('(').test(c); }",
      "function (c) { return new RegExp('a', 'i', 'x').test(c); }",
    ]) expect(regexLiteralsFromStrings(src)).toBe(src);
  });

  it('the literal matches what the RegExp matched', () => {
    const patterns = ['^https:\\/\\/([a-z0-9-]+\\.)*example\\.com$', 'a/b', '[/]', '\\/', 'x\\ny', '^$'];
    const inputs = ['https://app.example.com', 'a/b', '/', 'x\ny', '', 'evil.com'];
    for (const p of patterns) {
      const out = regexLiteralsFromStrings(`function (s) { return new RegExp(${JSON.stringify(p)}).test(s); }`);
      const literal = new Function(`return ${out}`)() as (s: string) => boolean;
      for (const s of inputs) expect(literal(s), `${p} ${s}`).toBe(new RegExp(p).test(s));
    }
  });
});
