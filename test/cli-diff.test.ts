import { describe, expect, it } from 'vitest';
import { differences } from '../packages/cli/src/diff';

describe('edge run: differences between two engines', () => {
  const labels: [string, string] = ['vm', 'njs'];

  it('finds none in equal values', () => {
    expect(differences({ a: [1, { b: 'x' }] }, { a: [1, { b: 'x' }] }, labels)).toEqual([]);
  });

  it('names each place: a changed value, a value one side lacks, and key order', () => {
    const vm = { result: { uri: '/a', headers: { 'x-a': { value: '1' } }, querystring: { a: { value: '1' }, b: { value: '2' } } } };
    const njs = { result: { uri: '/b', headers: {}, querystring: { b: { value: '2' }, a: { value: '1' } } }, origin: { domainName: 'x' } };
    expect(differences(vm, njs, labels)).toEqual([
      'result.uri: vm "/a", njs "/b"',
      'result.headers["x-a"]: only vm has it: {"value":"1"}',
      'result.querystring: key order: vm [a, b], njs [b, a]',
      'origin: only njs has it: {"domainName":"x"}',
    ]);
  });

  it('compares arrays by position and shortens long values', () => {
    expect(differences({ l: [1, 2] }, { l: [1, 3] }, labels)).toEqual(['l[1]: vm 2, njs 3']);
    const [line] = differences('x'.repeat(500), 'y', labels);
    expect(line).toMatch(/^\(top\): vm "x{199}… \(502 chars\), njs "y"$/);
  });
});
