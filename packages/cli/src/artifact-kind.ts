import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { isEventType, type CfRuntime, type EventType } from '@edgeline/core';
import { checkArtifact } from '@edgeline/cf-target';

/** What an artifact is, and where that was read from. */
export type ArtifactKind =
  | { target: 'cf'; runtime: CfRuntime; eventType?: EventType; from: string }
  | { target: 'lambda'; runtime?: string; eventType?: EventType; from: string };

/** What `edge build` writes in manifest.json for each artifact (the fields read here). */
export interface ManifestEntry {
  eventType: string;
  runtime: string;
  file: string;
  bytes?: number;
  limitBytes?: number;
}

const CF_RUNTIMES: readonly string[] = ['cloudfront-js-1.0', 'cloudfront-js-2.0'];

/** Human words for a kind: `CloudFront Function (cloudfront-js-2.0, viewer-request)`. */
export function describeKind(kind: ArtifactKind): string {
  const what = kind.target === 'cf' ? 'CloudFront Function' : 'Lambda@Edge handler';
  const details = [kind.runtime, kind.eventType].filter(Boolean).join(', ');
  return details ? `${what} (${details})` : what;
}

/**
 * The artifact's kind: from the manifest.json `edge build` wrote beside it (cf: in its folder;
 * lambda: one folder up) when it lists the file, else from the code itself (`exports.handler`
 * is a Lambda handler; `function handler` a CloudFront Function, 2.0 when it imports
 * 'cloudfront' or does not parse as ES5.1). Undefined when the code is neither.
 */
export async function artifactKind(artifact: string, code: string): Promise<{ kind?: ArtifactKind; entry?: ManifestEntry; note?: string }> {
  const found = await manifestEntry(artifact);
  if (found) {
    const { entry, manifest } = found;
    const eventType = isEventType(entry.eventType) ? entry.eventType : undefined;
    const changed = entry.bytes !== undefined && entry.bytes !== Buffer.byteLength(code) ? 'the artifact changed since that build' : undefined;
    if (CF_RUNTIMES.includes(entry.runtime)) return { kind: { target: 'cf', runtime: entry.runtime as CfRuntime, eventType, from: manifest }, entry, note: changed };
    return { kind: { target: 'lambda', runtime: entry.runtime, eventType, from: manifest }, entry, note: changed };
  }
  if (/\bexports\.handler\s*=|\bmodule\.exports\b/.test(code)) {
    const types = new Set([...code.matchAll(/\beventType["']?\s*:\s*["']((?:viewer|origin)-(?:request|response))["']/g)].map((m) => m[1]));
    const eventType = types.size === 1 ? ([...types][0] as EventType) : undefined;
    return { kind: { target: 'lambda', eventType, from: 'the artifact (no manifest.json lists it)' } };
  }
  if (/(^|[^.\w$])function\s+handler\s*\(/.test(code)) {
    if (/^\s*import\s+\w+\s+from\s+['"]cloudfront['"]/m.test(code)) {
      return { kind: { target: 'cf', runtime: 'cloudfront-js-2.0', from: "the artifact (it imports 'cloudfront'; no manifest.json lists it)" } };
    }
    const es5 = !checkArtifact(code, 'cloudfront-js-1.0').some((p) => p.check === 'syntax');
    if (!es5 && !checkArtifact(code, 'cloudfront-js-2.0').some((p) => p.check === 'syntax')) {
      return { kind: { target: 'cf', runtime: 'cloudfront-js-2.0', from: 'the artifact (it is not ES5.1; no manifest.json lists it)' } };
    }
    return {
      kind: { target: 'cf', runtime: 'cloudfront-js-1.0', from: 'the artifact (it parses as ES5.1; no manifest.json lists it)' },
      note: 'it runs on cloudfront-js-2.0 too: pass --runtime cloudfront-js-2.0 to run it there',
    };
  }
  return {};
}

/**
 * The manifest entry of an artifact, from the manifest.json of its build (cf: beside it; lambda:
 * one folder up; an auto build's: one folder above those, listing `cf/...` and `lambda/...`).
 */
async function manifestEntry(artifact: string): Promise<{ entry: ManifestEntry; manifest: string } | undefined> {
  for (const dir of [dirname(artifact), dirname(dirname(artifact)), dirname(dirname(dirname(artifact)))]) {
    const path = join(dir, 'manifest.json');
    if (!existsSync(path)) continue;
    let manifest: { artifacts?: ManifestEntry[] };
    try {
      manifest = JSON.parse(await readFile(path, 'utf8'));
    } catch {
      continue;
    }
    const rel = relative(dir, artifact).split('\\').join('/');
    const entry = Array.isArray(manifest?.artifacts) ? manifest.artifacts.find((a) => a && a.file === rel) : undefined;
    if (entry && typeof entry.runtime === 'string') return { entry, manifest: path };
  }
  return undefined;
}
