import { buildCommand } from './commands/build.js';
import { initCommand } from './commands/init.js';
import { runCommand } from './commands/run.js';
import { commandHelp, parseCommand, table, type Command, type Io } from './command.js';
import { EXIT, UsageError, type ExitCode } from './errors.js';
import { describeError } from './print-error.js';
import { cliPackage } from './version.js';

/** Every command of `edge`, in the order a user meets them. */
export const COMMANDS: readonly Command[] = [initCommand, buildCommand, runCommand];

function usage(): string {
  return [
    'Usage: edge <command> [options]',
    '',
    'Edge logic for AWS CloudFront, written once as typed middleware and built to a CloudFront Function or a Lambda@Edge handler.',
    '',
    'Commands:',
    ...table(COMMANDS.map((c) => [`${c.name} ${c.args}`, c.summary])),
    '',
    'Options:',
    ...table([['-h, --help', 'show this help; edge <command> --help for a command\'s'], ['-v, --version', 'print the version']]),
    '',
    'Exit codes: 0 ok, 1 rejected (the build or the run failed), 2 usage error or broken entry.',
  ].join('\n');
}

/** The `edge` command: returns the exit code; prints results to `out` and everything else to `err`. */
export async function main(argv: string[], out: (s: string) => void = console.log, err: (s: string) => void = console.error): Promise<ExitCode> {
  const io: Io = { out, err };
  const [name, ...rest] = argv;
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (name === '--version' || name === '-v' || name === 'version') {
      out(cliPackage().version);
      return EXIT.ok;
    }
    if (name === '--help' || name === '-h' || name === 'help') {
      const about = rest[0] === undefined ? undefined : COMMANDS.find((c) => c.name === rest[0]);
      if (rest[0] !== undefined && !about) throw new UsageError(`unknown command '${rest[0]}'`);
      out(about ? commandHelp(about) : usage());
      return EXIT.ok;
    }
    if (!command) throw new UsageError(name ? `unknown command '${name}'` : 'no command');
    if (rest.includes('--help') || rest.includes('-h')) {
      out(commandHelp(command));
      return EXIT.ok;
    }
    return await command.run(parseCommand(command, rest), io);
  } catch (e) {
    const { message, code, usage: showUsage } = describeError(e);
    const help = command ? `Usage: edge ${command.name} ${command.args} [options]\nRun edge ${command.name} --help for its options.` : usage();
    err(showUsage ? `${message}\n${help}` : message);
    return code;
  }
}
