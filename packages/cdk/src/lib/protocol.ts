import type { Artifact, CfRuntime, Violation } from '@edgeline/core';

/** What the construct asks the build child for (written as JSON to a file it names). */
export interface BuildRequest {
  entry: string;
  /** 'auto': buildAuto of @edgeline/cli (a CloudFront Function or Lambda@Edge per event type). */
  target: 'cf' | 'lambda' | 'auto';
  runtime?: CfRuntime;
  node?: string;
  out: string;
  typecheck?: boolean;
  /** Where the child writes its BuildReply. */
  reply: string;
}

/**
 * An artifact as manifest.json lists it, and the deadline its guard was built with (Lambda@Edge).
 * `target` is set by an auto build (whose `file` and `zipFile` start with `cf/` or `lambda/`).
 */
export type BuiltArtifact = Omit<Artifact, 'code' | 'zip'> & { deadlineMs?: number; target?: 'cf' | 'lambda' };

export type BuildReply =
  | { kind: 'built'; out: string; warnings: string[]; artifacts: BuiltArtifact[] }
  | { kind: 'rejected'; message: string; warnings: string[]; violations: Violation[] }
  | { kind: 'error'; message: string; code?: string; name?: string };
