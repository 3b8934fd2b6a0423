import type { Artifact, SizeShare, Violation } from '@edgeline/core';

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

/**
 * The size table: each artifact, its size against its limit, and under it the bytes each
 * middleware adds (then the runtime and glue), so a function nearing its limit shows which
 * middleware to move before it is over.
 */
export function artifactTable(artifacts: Artifact[], outDir: string, sizes: Record<string, SizeShare[]> = {}): string {
  const rows: string[][] = [];
  for (const a of artifacts) {
    const size = a.zippedBytes ?? a.bytes;
    const pct = Math.round((size / a.limitBytes) * 100);
    const shown = a.zippedBytes !== undefined ? `${size} B zipped (${a.bytes} B)` : `${size} B`;
    rows.push([`${outDir}/${a.file}`, a.runtime, shown, `${pct}% of ${kb(a.limitBytes)}`]);
    for (const s of sizes[a.file] ?? []) rows.push([`  ${s.part}`, '', `${s.bytes} B`, '']);
  }
  const header = ['artifact', 'runtime', 'size', 'limit'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  // Sizes right-aligned, so the bytes per middleware line up under the artifact's.
  const line = (cells: string[]) => cells.map((c, i) => (i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
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
