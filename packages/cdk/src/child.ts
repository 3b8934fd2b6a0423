/**
 * The build child: runs `build()` of @edgeline/cli (what `edge build` runs) for the request file
 * named on the command line and writes the reply file it names. A CDK construct is synchronous;
 * this runs the asynchronous build in a process the construct waits for.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as cli from '@edgeline/cli';
import { DEFAULT_CF_RUNTIME, type Artifact } from '@edgeline/core';
import { violationList as localViolationList } from './lib/violations.js';
import type { BuildReply, BuildRequest, BuiltArtifact } from './lib/protocol.js';

const request = JSON.parse(readFileSync(process.argv[2], 'utf8')) as BuildRequest;
const violationList = ((cli as Record<string, unknown>).violationList as typeof localViolationList | undefined) ?? localViolationList;

async function run(): Promise<BuildReply> {
  try {
    if (request.target === 'auto') return await auto();
    const { result, out, warnings } = await cli.build({
      entry: request.entry,
      target: request.target,
      runtime: request.runtime,
      node: request.node as cli.NodeRuntime | undefined,
      out: request.out,
      typecheck: request.typecheck,
    });
    if (!result.ok) {
      const target = request.target === 'cf' ? (request.runtime ?? DEFAULT_CF_RUNTIME) : 'lambda';
      return { kind: 'rejected', message: violationList(result.violations, target), warnings, violations: result.violations };
    }
    return { kind: 'built', out, warnings, artifacts: result.artifacts.map(described) };
  } catch (e) {
    const err = e as { message?: string; code?: string; name?: string };
    return { kind: 'error', message: `edge: ${err?.message ?? String(e)}`, code: err?.code, name: err?.name };
  }
}

/** `edge build --target auto`: a CloudFront Function or a Lambda@Edge handler per event type, each artifact with its target. */
async function auto(): Promise<BuildReply> {
  const { result, out, warnings } = await cli.buildAuto({
    entry: request.entry,
    runtime: request.runtime,
    node: request.node as cli.NodeRuntime | undefined,
    out: request.out,
    typecheck: request.typecheck,
  });
  if (!result.ok) {
    const target = `--target auto (a CloudFront Function on ${request.runtime ?? 'cloudfront-js-2.0'} or Lambda@Edge at each event type)`;
    return { kind: 'rejected', message: violationList(result.violations, target), warnings, violations: result.violations };
  }
  return { kind: 'built', out, warnings, artifacts: result.artifacts.map((a) => ({ ...described(a), target: a.target })) };
}

/** The manifest's fields, and for Lambda@Edge the deadline the guard was bundled with (0: none, the hooks never wait). */
function described(a: Artifact): BuiltArtifact {
  const { code, zip: _zip, ...rest } = a;
  if (a.zipFile === undefined || (rest as BuiltArtifact).deadlineMs !== undefined) return rest;
  // The guard's options, as bundled (minified: `deadlineMs:29e3,marginMs:1e3`).
  const m = /\bdeadlineMs"?\s*:\s*(\d[\d.e+]*)\s*,\s*"?marginMs\b/.exec(code);
  const deadlineMs = m ? Number(m[1]) : NaN;
  return Number.isFinite(deadlineMs) ? { ...rest, deadlineMs } : rest;
}

void run().then((reply) => writeFileSync(request.reply, JSON.stringify(reply)));
