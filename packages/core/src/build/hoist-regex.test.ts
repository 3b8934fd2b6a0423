import { describe, expect, it } from 'vitest';
import { hoistRegexLiterals } from './hoist-regex.js';

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
