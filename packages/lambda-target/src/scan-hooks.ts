import { PROFILES, hookSource, scanHook, type Finding, type Placement, type Violation } from '@edgeline/core';

/** One hook of the pipeline and what its code does. */
export interface ScannedHook {
  placement: Placement;
  hook: 'request' | 'response';
  findings: Finding[];
}

const ENV_WHY = 'Lambda@Edge functions have no environment variables (nor any other process configuration)';

/** Reads the code of every placed hook once; the build's later steps reuse the findings. */
export function scanPlacements(placements: readonly Placement[]): ScannedHook[] {
  const out: ScannedHook[] = [];
  for (const placement of placements) {
    for (const hook of ['request', 'response'] as const) {
      const fn = placement.middleware[hook];
      if (fn) out.push({ placement, hook, findings: scanHook(hookSource(placement.middleware.name, hook, fn)) });
    }
  }
  return out;
}

/**
 * What Lambda@Edge refuses in a hook's code, naming the middleware: what may reach anything
 * (eval, the Function constructor, a global, `require` or `import()` by a computed name: see
 * scanHook), `process` (there is no environment to read; it also holds the function role's AWS
 * credentials), and any construct whose capability the middleware does not declare.
 */
export function hookViolations(scanned: readonly ScannedHook[]): Violation[] {
  const out: Violation[] = [];
  for (const { placement, hook, findings } of scanned) {
    const mw = placement.middleware;
    const needs = mw.needs as readonly string[];
    for (const f of findings) {
      const base = { middleware: mw.name, construct: f.construct, target: 'lambda' as const };
      if (f.escape) {
        out.push({ ...base, capability: null, why: `its ${hook} hook ${f.escape.why}`, fix: f.escape.fix });
      } else if (f.capability === 'env') {
        out.push({ ...base, capability: 'env', why: `its ${hook} hook reads ${f.construct}: ${ENV_WHY}`, fix: PROFILES['lambda-viewer'].lacks.env!.fix });
      } else if (f.capability !== undefined && needs.indexOf(f.capability) < 0) {
        out.push({
          ...base, capability: f.capability,
          why: `its ${hook} hook uses ${f.construct} but the middleware does not declare '${f.capability}'`,
          fix: `add '${f.capability}' to the middleware's needs`,
        });
      }
    }
  }
  return out;
}
