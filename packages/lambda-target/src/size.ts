import { transform } from 'esbuild';
import type { EmittedHook, EventType, Middleware, SizeShare, Violation } from '@edgeline/core';

export interface SizeCheck {
  eventType: EventType;
  bytes: number;
  zippedBytes: number;
  limitBytes: number;
  /** What the bundle step measured per origin (`handler` holds the hooks, configs and glue). */
  shares: readonly SizeShare[];
  hooks: readonly EmittedHook[];
  middleware: readonly Middleware[];
  minify: boolean;
}

/**
 * Lambda@Edge refuses a zipped package over the trigger's limit (1 MB viewer, 50 MB origin).
 * Over it, the violation says where the bytes come from: each hook, each config, each package
 * the hooks require, and the runtime.
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-lambda-at-edge
 */
export async function sizeViolation(check: SizeCheck): Promise<Violation | undefined> {
  if (check.zippedBytes <= check.limitBytes) return undefined;
  const shares = await breakdown(check);
  const lines = shares.map((s) => `${s.part}: ${s.bytes} B`);
  // Largest first: the middleware to move or slim down comes first.
  const names = [...new Set(check.hooks.map((h) => h.middleware))].sort((a, b) => bytesOf(shares, b) - bytesOf(shares, a));
  return {
    middleware: names.join(', ') || '(runtime)',
    capability: null,
    construct: 'size',
    target: 'lambda',
    why:
      `the ${check.eventType} artifact is ${check.zippedBytes} B zipped, over the ${check.limitBytes} B Lambda@Edge allows for this trigger; ` +
      `its ${check.bytes} B unzipped are:\n    ${lines.join('\n    ')}`,
    fix: check.eventType.indexOf('viewer') === 0
      ? 'move the largest middleware to an origin trigger (runsAt origin-request/origin-response: 50 MB), or require less from its packages'
      : 'require less from the largest packages, or move data out of the options',
  };
}

/** Bytes per part of the unzipped code, largest first; the hooks' share is split per hook and config. */
export async function breakdown(check: SizeCheck): Promise<SizeShare[]> {
  const out: SizeShare[] = [];
  let handler = 0;
  let named = 0;
  for (const s of check.shares) {
    if (s.part === 'handler') handler += s.bytes;
    else out.push(s);
  }
  for (const h of check.hooks) {
    const bytes = await codeBytes(`var x = ${h.source};`, check.minify);
    named += bytes;
    out.push({ part: `${h.middleware} (${h.hook} hook)`, bytes });
  }
  for (const index of new Set(check.hooks.map((h) => h.index))) {
    if (check.middleware[index].config === null) continue;
    const bytes = Buffer.byteLength(JSON.stringify(check.middleware[index].config));
    named += bytes;
    out.push({ part: `${check.middleware[index].name} (config)`, bytes });
  }
  out.push({ part: 'glue', bytes: Math.max(0, handler - named) });
  return out.sort((a, b) => b.bytes - a.bytes);
}

function bytesOf(shares: readonly SizeShare[], middleware: string): number {
  return shares.filter((s) => s.part.indexOf(`${middleware} (`) === 0).reduce((n, s) => n + s.bytes, 0);
}

async function codeBytes(code: string, minify: boolean): Promise<number> {
  if (!minify) return Buffer.byteLength(code);
  try {
    return Buffer.byteLength((await transform(code, { minify: true, charset: 'utf8' })).code);
  } catch {
    return Buffer.byteLength(code);
  }
}
