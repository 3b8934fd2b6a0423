import type { Violation } from '@edgeline/core';

/**
 * What `edge build` prints for a rejected pipeline (packages/cli/src/print.ts `violationList`),
 * used until @edgeline/cli exports it: the child prefers the cli's own when it is exported.
 */
export function violationList(violations: readonly Violation[], target: string): string {
  const lines = [`edge build: the pipeline cannot be built for ${target} (${violations.length} problem${violations.length === 1 ? '' : 's'}):`];
  for (const v of violations) {
    const what = v.capability ? `needs '${v.capability}'` : `uses ${v.construct}`;
    const construct = v.capability && v.construct ? ` (${v.construct})` : '';
    lines.push(`  - middleware '${v.middleware}' ${what}${construct}`);
    lines.push(`      why: ${v.why}`);
    lines.push(`      fix: ${v.fix}`);
  }
  return lines.join('\n');
}
