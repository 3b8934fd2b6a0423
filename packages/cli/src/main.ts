import { EdgelineError } from '@edgeline/core';
import { buildCommand, BUILD_USAGE } from './commands/build.js';
import { runCommand, RUN_USAGE } from './commands/run.js';
import { EntryError, EXIT, UsageError, type ExitCode } from './errors.js';

const USAGE = `Usage:\n  ${BUILD_USAGE}\n  ${RUN_USAGE}`;

/** The `edge` command: returns the exit code; prints to `out` and errors to `err`. */
export async function main(argv: string[], out: (s: string) => void = console.log, err: (s: string) => void = console.error): Promise<ExitCode> {
  const [command, ...rest] = argv;
  try {
    if (command === 'build') return await buildCommand(rest, out);
    if (command === 'run') return await runCommand(rest, out, err);
    if (command === '--help' || command === '-h' || command === 'help') {
      out(USAGE);
      return EXIT.ok;
    }
    throw new UsageError(command ? `unknown command '${command}'` : 'no command');
  } catch (e) {
    return handleError(e, err);
  }
}

function handleError(e: unknown, err: (s: string) => void): ExitCode {
  if (e instanceof UsageError || isParseArgsError(e)) {
    err(`edge: ${(e as Error).message}\n${USAGE}`);
    return EXIT.usage;
  }
  if (e instanceof EntryError) {
    err(`edge: ${e.message}`);
    return EXIT.usage;
  }
  if (e instanceof EdgelineError) {
    err(`edge: ${e.message}`);
    return EXIT.rejected;
  }
  err(`edge: unexpected error: ${(e as Error)?.stack ?? e}`);
  return EXIT.usage;
}

function isParseArgsError(e: unknown): boolean {
  const code = (e as { code?: string })?.code;
  return typeof code === 'string' && code.indexOf('ERR_PARSE_ARGS') === 0;
}
