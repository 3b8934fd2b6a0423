import { isCfTarget, PRICES, type Artifact, type AutoPlan, type SizeShare, type Violation } from '@edgeline/core';

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

const usd = (n: number) => `$${n.toFixed(3)}`;

/**
 * The plan of an auto build, one line per event type: where it runs, its middleware (on
 * Lambda@Edge each with why it cannot run on a CloudFront Function) and the estimated price per
 * million requests; then the hooks that could have run elsewhere, and what the figures are.
 */
export function planLines(plan: Extract<AutoPlan, { ok: true }>, node: string): string[] {
  const rows = plan.events.map((e) => {
    const where = isCfTarget(e.target) ? `CloudFront Function (${e.target})` : `Lambda@Edge (${node})`;
    const names = e.middleware.map((m) => {
      const whys = e.reasons.filter((r) => r.middleware === m).map((r) => r.why);
      return whys.length ? `${m} (${whys.join('; ')})` : m;
    });
    const others = e.reasons.filter((r) => !r.middleware || e.middleware.indexOf(r.middleware) < 0).map((r) => (r.middleware ? `${r.middleware}: ${r.why}` : r.why));
    return { left: `${e.eventType.padEnd(15)} -> ${where}: ${names.join(', ')}${others.length ? ` [${others.join('; ')}]` : ''}`, price: usd(e.pricePerMillion), choices: e.choices };
  });
  const width = Math.max(...rows.map((r) => r.left.length));
  const lines = ['plan (--target auto):'];
  for (const r of rows) {
    lines.push(`  ${r.left.padEnd(width)}  ${r.price} per 1M`);
    for (const c of r.choices) lines.push(`      ${c}`);
  }
  lines.push(
    `  estimated ${usd(plan.pricePerMillion)} per million requests if every request reached every event type (origin events run only on cache misses).`,
    `  Estimates from public prices read ${PRICES.read}: CloudFront Functions ${usd(PRICES.cloudFrontFunctionPerMillion)} per 1M invocations;` +
      ` Lambda@Edge ${usd(PRICES.lambdaEdgePerMillionRequests)} per 1M requests + $${PRICES.lambdaEdgePerGbSecond} per GB-second at ${PRICES.lambdaMemoryMb} MB,` +
      ` ${PRICES.lambdaBilledMs} ms billed per call (a warm handler runs in microseconds: bench/). Your bill depends on region, free tier and traffic.`,
  );
  return lines;
}
