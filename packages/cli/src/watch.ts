import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Io } from './command.js';
import { EXIT, type ExitCode } from './errors.js';
import { describeError } from './print-error.js';

/**
 * `edge build --watch`: builds, prints, then rebuilds whenever the entry or a local file it
 * imports (the inputs esbuild's metafile lists when the entry is loaded) changes, until SIGINT
 * or SIGTERM. A rejected or broken build is printed and the watch goes on. Folders are watched,
 * not files, so an editor that saves by replacing the file is seen too.
 */
export function watchBuild<O extends { entry: string }, R extends { inputs: string[] }>(
  options: O, print: (outcome: R) => ExitCode, io: Io, run: (options: O) => Promise<R>,
): Promise<ExitCode> {
  let inputs = new Set<string>([resolve(options.entry)]);
  const watchers = new Map<string, FSWatcher>();
  let running = false;
  let again = false;
  let timer: NodeJS.Timeout | undefined;

  const once = async (): Promise<void> => {
    running = true;
    try {
      const outcome = await run(options);
      inputs = new Set([resolve(options.entry), ...outcome.inputs]);
      print(outcome);
    } catch (e) {
      io.err(describeError(e).message);
    }
    running = false;
    follow();
    io.err(`watching ${inputs.size} file${inputs.size === 1 ? '' : 's'} for changes (Ctrl-C to stop)`);
    if (again) {
      again = false;
      schedule();
    }
  };
  const schedule = () => {
    if (running) {
      again = true;
      return;
    }
    clearTimeout(timer);
    // Editors write a file in several steps: wait for them to settle.
    timer = setTimeout(() => void once(), 60);
  };
  const follow = () => {
    const dirs = new Set([...inputs].map((f) => dirname(f)));
    for (const [dir, w] of watchers) if (!dirs.has(dir)) (w.close(), watchers.delete(dir));
    for (const dir of dirs) {
      if (watchers.has(dir)) continue;
      try {
        const w = watch(dir, (_event, file) => {
          if (!file || inputs.has(resolve(dir, file.toString())) || inputs.has(resolve(dir, basename(file.toString())))) schedule();
        });
        watchers.set(dir, w);
      } catch {
        // A folder that went away: its files are no longer inputs once the next build runs.
      }
    }
  };

  return new Promise((done) => {
    const stop = () => {
      clearTimeout(timer);
      for (const w of watchers.values()) w.close();
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done(EXIT.ok);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    void once();
  });
}
