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
    'writing nothing) when any of the files is already there. Then: npm install, npm test, npm run build.\n' +
    'With --cdk, also cdk.json and cdk/app.mjs: an S3 bucket behind a CloudFront distribution with the\n' +
    'pipeline on its default behavior (@edgeline/cdk, target auto); npm run synth, npm run deploy.',
  options: {
    cdk: { type: 'boolean', description: 'also a deployable AWS CDK app (cdk.json, cdk/app.mjs; @edgeline/cdk, aws-cdk-lib, constructs, aws-cdk; scripts synth and deploy)' },
  },
  examples: ['edge init my-edge', 'edge init', 'edge init my-site --cdk'],
  async run({ values, positionals }, io) {
    if (positionals.length > 1) throw new UsageError(`give at most one folder (got ${positionals.join(', ')})`);
    const dir = positionals[0] ?? '.';
    const { written, existing } = await initProject(dir, { cdk: values.cdk === true });
    if (existing.length) {
      io.err(`edge init: ${dir === '.' ? 'this folder' : dir} already has ${existing.join(', ')}: nothing was written (move them away, or choose another folder)`);
      return EXIT.usage;
    }
    const cd = relative(process.cwd(), dir);
    io.out(`wrote ${written.map((f) => (cd ? `${cd}/${f}` : f)).join(', ')}\n\nnext:`);
    const steps = [...(cd ? [`cd ${cd}`] : []), 'npm install', 'npm test', 'npm run build', 'npx edge run dist/edge/cf/viewer-request.js --event events/viewer-request.json'];
    if (values.cdk === true) steps.push('npm run synth', 'npm run deploy    (AWS credentials; npx cdk bootstrap once per account)');
    io.out(steps.map((s) => `  ${s}`).join('\n'));
    return EXIT.ok;
  },
};
