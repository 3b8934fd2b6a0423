import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CfRuntime } from '@edgeline/core';
import { EdgelineBuildError } from '../errors.js';
import type { BuildReply, BuildRequest } from './protocol.js';

export type Built = Extract<BuildReply, { kind: 'built' }>;

export interface SyncBuild {
  entry: string;
  target: 'cf' | 'lambda' | 'auto';
  runtime?: CfRuntime;
  node?: string;
  out: string;
  typecheck?: boolean;
}

/**
 * Runs `edge build` (the `build()` @edgeline/cli exports) and waits for it: constructs are built
 * synchronously, so the build runs in a child Node process (dist/child.js). A rejection or a
 * broken entry throws EdgelineBuildError with what `edge build` prints.
 */
export function buildSync(options: SyncBuild): Built {
  const out = resolve(options.out);
  mkdirSync(out, { recursive: true });
  const reply = join(out, '.edgeline-reply.json');
  const requestFile = join(out, '.edgeline-request.json');
  rmSync(reply, { force: true });
  const request: BuildRequest = { ...options, entry: resolve(options.entry), out, reply };
  writeFileSync(requestFile, JSON.stringify(request));
  const child = spawnSync(process.execPath, [childScript(), requestFile], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  if (!existsSync(reply)) {
    const why = child.error?.message ?? (child.stderr || child.stdout || `exit code ${child.status}`).trim();
    throw new EdgelineBuildError('ERR_EDGE_REJECTED', `edge build did not finish for ${options.entry}: ${why}`);
  }
  const answer = JSON.parse(readFileSync(reply, 'utf8')) as BuildReply;
  rmSync(reply, { force: true });
  rmSync(requestFile, { force: true });
  if (answer.kind === 'rejected') throw new EdgelineBuildError('ERR_EDGE_REJECTED', answer.message, answer.violations, answer.warnings);
  if (answer.kind === 'error') throw new EdgelineBuildError(answer.code, answer.message);
  return answer;
}

/** dist/child.js of this package, found from this module whether it runs from src/ or dist/. */
function childScript(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === '@edgeline/cdk') {
      const script = join(dir, 'dist', 'child.js');
      if (!existsSync(script)) throw new Error(`@edgeline/cdk is not built (${script} is missing): run npm run build`);
      return script;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('@edgeline/cdk: cannot find its own package.json');
    dir = up;
  }
}
