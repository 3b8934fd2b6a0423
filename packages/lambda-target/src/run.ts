import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { format } from 'node:util';
import { compileFunction } from 'node:vm';
import { CODES, EdgelineError, PROFILES } from '@edgeline/core';
import type { LeEvent } from '@edgeline/core/runtime';

/** The Lambda context object, as far as handlers usually read it. */
export interface LambdaContext {
  functionName: string;
  functionVersion: string;
  awsRequestId: string;
  memoryLimitInMB: string;
  callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
}

/** The artifact is not a Lambda handler module, or it did not answer in the trigger's time. */
export class ArtifactError extends EdgelineError {
  constructor(message: string) {
    super(CODES.rejected, message);
  }
}

/** How runLambdaArtifact runs the handler. */
export interface LambdaRunOptions {
  /**
   * Collects what the handler writes with `console.log`, `info`, `debug`, `warn`, `error` and
   * `trace` (one entry per call, formatted as Node's console formats it) instead of printing it.
   * The array fills as the handler runs, so it holds the lines logged before a failure too.
   */
  logs?: string[];
}

/**
 * Loads an artifact as Lambda's Node.js runtime does (a fresh CommonJS module: its own `exports`,
 * `module` and a `require` from `createRequire`) and calls `exports.handler(event, context)`.
 * The event and the result cross as JSON, as they do between CloudFront and Lambda. Rejects
 * when the module has no async `(event, context)` handler, or the handler runs past the
 * trigger's timeout (where Lambda would kill it). With `options.logs`, the module's console
 * writes there instead of to this process's console.
 *
 * The module shares this process's realm rather than a `node:vm` context of its own: bundled
 * libraries such as jose test `instanceof Uint8Array`, which fails across realms.
 * @example const result = await runLambdaArtifact(artifact.code, lambdaEvent('viewer-request', { uri: '/' }));
 */
export async function runLambdaArtifact(code: string, event: LeEvent, context: Partial<LambdaContext> = {}, options: LambdaRunOptions = {}): Promise<unknown> {
  const handler = loadHandler(code, options.logs ? capturingConsole(options.logs) : console);
  const timeoutMs = timeoutOf(event);
  const ctx: LambdaContext = { ...defaultContext(timeoutMs), ...context };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const killed = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ArtifactError(`the handler did not answer within the trigger's ${timeoutMs} ms: Lambda would stop it and CloudFront answer 503`)), timeoutMs);
  });
  try {
    const result = await Promise.race([handler(JSON.parse(JSON.stringify(event)), ctx), killed]);
    return result === undefined ? undefined : JSON.parse(JSON.stringify(result));
  } finally {
    clearTimeout(timer);
  }
}

type Handler = (event: unknown, context: LambdaContext) => Promise<unknown>;

function loadHandler(code: string, moduleConsole: Console): Handler {
  // `require` inside the artifact (Node's modules, an external @aws-sdk/*) resolves from the working directory.
  const filename = join(process.cwd(), 'index.js');
  const module = { exports: {} as Record<string, unknown> };
  // `console` is a parameter of the module's wrapper, as `require` is: the module's code sees the one given here.
  const wrapper = compileFunction(code, ['exports', 'require', 'module', '__filename', '__dirname', 'console'], { filename });
  wrapper(module.exports, createRequire(filename), module, filename, dirname(filename), moduleConsole);
  const handler = module.exports.handler;
  if (typeof handler !== 'function') throw new ArtifactError('the artifact does not export a handler function (exports.handler)');
  if (handler.constructor.name !== 'AsyncFunction' || handler.length > 2) {
    throw new ArtifactError('exports.handler must be async (event, context): Lambda@Edge handlers take no callback');
  }
  return handler as Handler;
}

/** A console whose writing methods append a formatted line to `logs`; the rest is the real console's. */
function capturingConsole(logs: string[]): Console {
  const write = (...args: unknown[]) => {
    logs.push(format(...args));
  };
  const trace = (...args: unknown[]) => {
    logs.push(`Trace: ${format(...args)}`);
  };
  return Object.assign(Object.create(console) as Console, { log: write, info: write, debug: write, warn: write, error: write, trace });
}

function timeoutOf(event: LeEvent): number {
  const eventType = event?.Records?.[0]?.cf?.config?.eventType ?? '';
  return PROFILES[eventType.indexOf('origin') === 0 ? 'lambda-origin' : 'lambda-viewer'].limits.timeoutMs;
}

function defaultContext(timeoutMs: number): LambdaContext {
  const start = Date.now();
  return {
    functionName: 'edgeline-local',
    functionVersion: '1',
    awsRequestId: randomUUID(),
    memoryLimitInMB: '128',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - start)),
  };
}
