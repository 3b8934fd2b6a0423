import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { edge, fixture, ROOT } from './helpers';

const exec = promisify(execFile);
const version = (pkg: string) => JSON.parse(readFileSync(join(ROOT, 'packages', pkg, 'package.json'), 'utf8')).version as string;

describe('edge init --cdk', () => {
  it('also writes cdk.json, cdk/app.mjs, the CDK dev dependencies and scripts synth and deploy', async () => {
    const dir = await fixture({});
    const run = await edge(['init', 'site', '--cdk'], dir);
    expect(run.code, run.stderr).toBe(0);
    const project = join(dir, 'site');
    expect(JSON.parse(readFileSync(join(project, 'cdk.json'), 'utf8'))).toEqual({ app: 'node cdk/app.mjs' });
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
    expect(pkg.scripts).toEqual({ build: 'edge build edge.ts --target cf --typecheck', test: 'vitest run', synth: 'cdk synth', deploy: 'cdk deploy' });
    expect(pkg.devDependencies).toMatchObject({
      '@edgeline/cli': `^${version('cli')}`,
      '@edgeline/cdk': `^${version('cdk')}`,
      'aws-cdk-lib': '^2.276.0',
      constructs: '^10',
      'aws-cdk': '^2',
    });
    const app = readFileSync(join(project, 'cdk/app.mjs'), 'utf8');
    expect(app).toContain('origins.S3BucketOrigin.withOriginAccessControl(bucket)');
    expect(app).toMatch(/new EdgelineBehavior\(this, 'Edge', \{ entry, target: 'auto' \}\)/);
    expect(app).toContain('...edge.behaviorOptions');
    expect(readFileSync(join(project, '.gitignore'), 'utf8')).toContain('cdk.out/');
    expect(run.stdout).toMatch(/cdk\.json, site\/cdk\/app\.mjs/);
    expect(run.stdout).toMatch(/npm run synth\n {2}npm run deploy/);
  });

  it('without --cdk writes no CDK files, dependencies or scripts; --help documents the flag', async () => {
    const dir = await fixture({});
    expect((await edge(['init'], dir)).code).toBe(0);
    expect(existsSync(join(dir, 'cdk.json'))).toBe(false);
    expect(existsSync(join(dir, 'cdk'))).toBe(false);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(Object.keys(pkg.scripts)).toEqual(['build', 'test']);
    expect(Object.keys(pkg.devDependencies).filter((d) => /cdk|constructs/.test(d))).toEqual([]);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('node_modules/\ndist/\n');
    const help = await edge(['init', '--help'], dir);
    expect(help.stdout).toMatch(/--cdk +also a deployable AWS CDK app/);
  });

  it('refuses when cdk.json is already there, writing nothing', async () => {
    const dir = await fixture({ 'cdk.json': '{}' });
    const run = await edge(['init', '--cdk'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/already has cdk\.json: nothing was written/);
    expect(existsSync(join(dir, 'edge.ts'))).toBe(false);
  });

  // The generated project outside the repository, its packages linked to this checkout (no
  // registry), its app run as `cdk synth` runs it: node cdk/app.mjs with CDK_OUTDIR set (the CDK
  // CLI itself is not needed).
  it('synthesizes: node cdk/app.mjs writes a stack in us-east-1 with the distribution, its OAC origin and the pipeline\'s functions', async () => {
    const base = await mkdtemp(join(tmpdir(), 'edge-init-cdk-'));
    const project = join(base, 'site');
    const init = await edge(['init', project, '--cdk'], ROOT);
    expect(init.code, init.stderr).toBe(0);
    const nm = join(project, 'node_modules');
    await mkdir(join(nm, '@edgeline'), { recursive: true });
    await mkdir(join(nm, '@types'), { recursive: true });
    for (const p of ['core', 'middleware', 'cli', 'cf-target', 'lambda-target', 'cdk']) await symlink(join(ROOT, 'packages', p), join(nm, '@edgeline', p));
    for (const p of ['vitest', 'typescript', '@types/node', 'aws-cdk-lib', 'constructs']) await symlink(join(ROOT, 'node_modules', p), join(nm, p));
    const outdir = join(base, 'cdk.out');
    const app = JSON.parse(readFileSync(join(project, 'cdk.json'), 'utf8')).app as string;
    const [cmd, ...args] = app.split(' ');
    expect(cmd).toBe('node');
    await exec(process.execPath, args, { cwd: project, env: { ...process.env, CDK_OUTDIR: outdir } });

    const templateFile = (await readdir(outdir)).find((f) => f.endsWith('.template.json'));
    expect(templateFile).toBe('EdgeStack.template.json');
    const assembly = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
    expect(assembly.artifacts.EdgeStack.environment).toMatch(/\/us-east-1$/);
    const template = JSON.parse(readFileSync(join(outdir, templateFile!), 'utf8'));
    const resources = Object.values(template.Resources) as { Type: string; Properties: any }[];
    const functions = resources.filter((r) => r.Type === 'AWS::CloudFront::Function');
    // The starter pipeline (securityHeaders, indexPage) runs as CloudFront Functions under auto.
    expect(functions.map((f) => f.Properties.FunctionConfig.Runtime)).toEqual(['cloudfront-js-2.0', 'cloudfront-js-2.0']);
    const distribution = resources.find((r) => r.Type === 'AWS::CloudFront::Distribution')!.Properties.DistributionConfig;
    expect(distribution.DefaultCacheBehavior.FunctionAssociations.map((a: { EventType: string }) => a.EventType)).toEqual(['viewer-request', 'viewer-response']);
    expect(distribution.Origins[0].S3OriginConfig).toBeDefined();
    expect(distribution.Origins[0].OriginAccessControlId).toBeDefined();
    expect(resources.some((r) => r.Type === 'AWS::CloudFront::OriginAccessControl')).toBe(true);
    expect(resources.some((r) => r.Type === 'AWS::S3::Bucket')).toBe(true);
    expect(Object.keys(template.Outputs)).toEqual(expect.arrayContaining(['DomainName', 'Url', 'Bucket']));
  }, 180_000);
});
