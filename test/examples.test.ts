import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// The README's main job: every example built for every target it lists and its sample events run
// through the artifacts (both engines on CloudFront: the vm emulator and njs must agree).
describe('examples (npm run examples)', () => {
  it('all build and run', () => {
    const run = spawnSync(process.execPath, [join(__dirname, '..', 'examples', 'build-all.mjs')], { cwd: join(__dirname, '..'), encoding: 'utf8' });
    const output = `${run.stdout}\n${run.stderr}`;
    expect(output.slice(-4000)).toContain('all examples built and ran');
    expect(output).not.toMatch(/DIFFERENT result/);
    expect(run.status).toBe(0);
  }, 120000);
});
