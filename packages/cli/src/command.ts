import { parseArgs } from 'node:util';
import type { ExitCode } from './errors.js';

/** Where a command prints: results to `out` (stdout), rejections, warnings and errors to `err` (stderr). */
export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

/** One option, declared as data: parsed by node's util.parseArgs and shown by `--help`. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  /** What the value is, for the help: `<dir>`, `cf|lambda`. */
  value?: string;
  description: string;
}

/** A command of `edge`: its arguments and options as data, and what it does with them. */
export interface Command {
  name: string;
  /** Positional arguments as the usage line shows them: `<entry>`, `[dir]`. */
  args: string;
  summary: string;
  /** Paragraphs shown by `edge <command> --help` after the usage line. */
  details?: string;
  options: Record<string, OptionSpec>;
  examples?: string[];
  run(input: { values: Record<string, string | boolean | undefined>; positionals: string[] }, io: Io): Promise<ExitCode>;
}

/** Parses a command's arguments from its declared options (unknown options are usage errors). */
export function parseCommand(command: Command, argv: string[]): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const [name, spec] of Object.entries(command.options)) options[name] = { type: spec.type };
  const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  return { values: values as Record<string, string | boolean | undefined>, positionals };
}

/** `edge <command> --help`. */
export function commandHelp(command: Command): string {
  const lines = [`Usage: edge ${command.name} ${command.args}${Object.keys(command.options).length ? ' [options]' : ''}`, '', command.summary];
  if (command.details) lines.push('', command.details);
  const rows = Object.entries(command.options).map(([name, o]) => [`--${name}${o.value ? ` ${o.value}` : ''}`, o.description]);
  rows.push(['-h, --help', 'show this help']);
  lines.push('', 'Options:', ...table(rows));
  if (command.examples?.length) lines.push('', 'Examples:', ...command.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}

/** Two columns, the first padded. */
export function table(rows: string[][]): string[] {
  const width = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([a, b]) => `  ${a.padEnd(width)}  ${b}`);
}
