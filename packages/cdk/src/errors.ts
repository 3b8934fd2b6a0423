import { CODES, EdgelineError, type ErrorCode, type Violation } from '@edgeline/core';

const KNOWN = new Set<string>(Object.values(CODES));

/**
 * The pipeline could not be built at synth time: rejected for the target (`code`
 * ERR_EDGE_REJECTED, `violations` lists each middleware and why), or its entry or options are
 * broken (the code the build gave, e.g. ERR_EDGE_ENTRY, ERR_EDGE_CONFIG). The message is what
 * `edge build` prints.
 */
export class EdgelineBuildError extends EdgelineError {
  readonly violations: readonly Violation[];
  readonly warnings: readonly string[];
  constructor(code: string | undefined, message: string, violations: readonly Violation[] = [], warnings: readonly string[] = []) {
    super(code !== undefined && KNOWN.has(code) ? (code as ErrorCode) : CODES.rejected, message);
    this.violations = violations;
    this.warnings = warnings;
  }
}
