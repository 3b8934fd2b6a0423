import { relative } from 'node:path';
import type { Command } from '../command.js';
import { EXIT, UsageError } from '../errors.js';
import { initProject } from '../init.js';

export const initCommand: Command = {
  name: 'init',
  args: '[dir]',
  summary: 'Write a new project: edge.ts, its test, sample events, package.json and tsconfig.json.',
  details:
    'Writes into [dir] (default: the current folder), creating it if needed, and refuses (exit 2,\n' +
    'writing nothing) when any of the files is already there. Then: npm install, npm test, npm run build.',
  options: {},
  examples: ['edge init my-edge', 'edge init'],
  async run({ positionals }, io) {
    if (positionals.length > 1) throw new UsageError(`give at most one folder (got ${positionals.join(', ')})`);
    const dir = positionals[0] ?? '.';
    const { written, existing } = await initProject(dir);
    if (existing.length) {
      io.err(`edge init: ${dir === '.' ? 'this folder' : dir} already has ${existing.join(', ')}: nothing was written (move them away, or choose another folder)`);
      return EXIT.usage;
    }
    const cd = relative(process.cwd(), dir);
    io.out(`wrote ${written.map((f) => (cd ? `${cd}/${f}` : f)).join(', ')}\n\nnext:`);
    const steps = [...(cd ? [`cd ${cd}`] : []), 'npm install', 'npm test', 'npm run build', 'npx edge run dist/edge/cf/viewer-request.js --event events/viewer-request.json'];
    io.out(steps.map((s) => `  ${s}`).join('\n'));
    return EXIT.ok;
  },
};
