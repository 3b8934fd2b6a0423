import type { Capability, EventType } from '../capability.js';
import type { Violation } from '../check.js';

/** One file a build produced, and what the manifest says of it. */
export interface Artifact {
  eventType: EventType;
  /** `cloudfront-js-1.0`, `cloudfront-js-2.0`, `nodejs22.x` or `nodejs24.x`. */
  runtime: string;
  /** Path relative to the output folder. */
  file: string;
  code: string;
  bytes: number;
  /** The limit `bytes` (or `zippedBytes` on Lambda@Edge) is held to. */
  limitBytes: number;
  middleware: string[];
  capabilities: Capability[];
  /** Lambda@Edge only. */
  includeBody?: boolean;
  zipFile?: string;
  zippedBytes?: number;
  zip?: Uint8Array;
  /** Modules left out of the bundle (provided by the runtime). */
  external?: string[];
}

/** Bytes each middleware (and the runtime) adds to an artifact, for the over-the-limit message. */
export interface SizeShare {
  part: string;
  bytes: number;
}

export type BuildResult =
  | { ok: true; target: 'cf' | 'lambda'; artifacts: Artifact[] }
  | { ok: false; target: 'cf' | 'lambda'; violations: Violation[] };

/** manifest.json: the artifacts without their code. */
export function manifestOf(result: Extract<BuildResult, { ok: true }>, entry: string | undefined): object {
  return {
    target: result.target,
    entry,
    artifacts: result.artifacts.map(({ code: _code, zip: _zip, ...rest }) => rest),
  };
}
