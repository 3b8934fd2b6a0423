import type { Artifact, Violation } from '@edgeline/core';

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

/** A short table: each artifact, its size against its limit. */
export function artifactTable(artifacts: Artifact[], outDir: string): string {
  const rows = artifacts.map((a) => {
    const size = a.zippedBytes ?? a.bytes;
    const pct = Math.round((size / a.limitBytes) * 100);
    return [`${outDir}/${a.file}`, a.runtime, `${size} B${a.zippedBytes !== undefined ? ' zipped' : ''}`, `${pct}% of ${kb(a.limitBytes)}`, a.middleware.join(', ')];
  });
  const header = ['artifact', 'runtime', 'size', 'limit', 'middleware'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** Every violation: the middleware, the capability, why, and the fix. */
export function violationList(violations: Violation[], target: string): string {
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
