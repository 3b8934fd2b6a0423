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
 * What Lambda@Edge refuses in a hook's code, naming the middleware: `process` (there is no
 * environment to read), a computed `require` (nothing can be bundled for it, and nothing lies
 * beside the handler), and any construct whose capability the middleware does not declare.
 */
export function hookViolations(scanned: readonly ScannedHook[]): Violation[] {
  const out: Violation[] = [];
  for (const { placement, hook, findings } of scanned) {
    const mw = placement.middleware;
    const needs = mw.needs as readonly string[];
    for (const f of findings) {
      const base = { middleware: mw.name, construct: f.construct, target: 'lambda' as const };
      if (f.capability === 'env') {
        out.push({ ...base, capability: 'env', why: `its ${hook} hook reads ${f.construct}: ${ENV_WHY}`, fix: PROFILES['lambda-viewer'].lacks.env!.fix });
      } else if (f.construct === 'require(<computed>)') {
        out.push({
          ...base, capability: null,
          why: `its ${hook} hook calls require with a computed name: the bundle can only include modules named by a string literal, and Lambda@Edge has no node_modules beside the handler`,
          fix: "require each module by its literal name (require('jose'))",
        });
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
