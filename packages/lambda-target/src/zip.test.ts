import { describe, expect, it } from 'vitest';
import { strFromU8, unzipSync } from 'fflate';
import { zipArtifact } from './index.js';

describe('zipArtifact', () => {
  const code = 'exports.handler = async (event, context) => event;\n'.repeat(50);

  it('holds index.js at the root, as Lambda expects for the handler index.handler', () => {
    const files = unzipSync(zipArtifact(code));
    expect(Object.keys(files)).toEqual(['index.js']);
    expect(strFromU8(files['index.js'])).toBe(code);
  });

  it('is the same bytes for the same code, so deploy tools see no change', () => {
    expect(Buffer.from(zipArtifact(code)).equals(Buffer.from(zipArtifact(code)))).toBe(true);
    expect(zipArtifact(code).length).toBeLessThan(code.length);
  });
});
