import { EdgelineError } from '@edgeline/core';
import { EntryError, EXIT, UsageError, type ExitCode } from './errors.js';

/**
 * What to print for an error, and the exit code it means: usage errors and broken entries exit
 * 2, anything Edgeline refused (a ConfigError from a middleware's options, a hook that cannot be
 * lowered) exits 1, and anything else is a bug, printed with its stack (exit 2).
 */
export function describeError(e: unknown): { message: string; code: ExitCode; usage: boolean } {
  if (e instanceof UsageError || isParseArgsError(e)) return { message: `edge: ${(e as Error).message}`, code: EXIT.usage, usage: true };
  if (e instanceof EntryError) return { message: `edge: ${e.message}`, code: EXIT.usage, usage: false };
  if (e instanceof EdgelineError) return { message: `edge: ${e.message}`, code: EXIT.rejected, usage: false };
  return { message: `edge: unexpected error: ${(e as Error)?.stack ?? e}`, code: EXIT.usage, usage: false };
}

function isParseArgsError(e: unknown): boolean {
  const code = (e as { code?: string })?.code;
  return typeof code === 'string' && code.indexOf('ERR_PARSE_ARGS') === 0;
}
