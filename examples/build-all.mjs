// The main job: builds every example for every target it lists in example.json, then runs
// each sample event through the matching artifact (as `edge run` does). Exits non-zero if any fails.
// `auto` is `edge build --target auto`: its events/cf/ run through <out>/cf/ and its events/lambda/
// through <out>/lambda/, wherever the plan put their event type.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../packages/cli/dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
let failures = 0;

for (const name of readdirSync(here).sort()) {
  const dir = join(here, name);
  const config = join(dir, 'example.json');
  if (!existsSync(config)) continue;
  // runEvents: false keeps the job offline for examples whose events would reach the network.
  const { targets, runEvents = true } = JSON.parse(readFileSync(config, 'utf8'));
  for (const spec of targets) {
    const [target, runtime] = spec.split(':');
    const out = join('dist/examples', name, runtime ?? target);
    const args = ['build', join(dir, 'edge.ts'), '--target', target, '--out', out];
    if (runtime) args.push(target === 'cf' ? '--runtime' : '--node', runtime);
    console.log(`\n## ${name} -> ${spec}`);
    const code = await main(args);
    if (code !== 0) {
      failures++;
      continue;
    }
    const events = target === 'auto' ? [...sampleEvents(dir, 'cf'), ...sampleEvents(dir, 'lambda')] : sampleEvents(dir, target);
    for (const event of runEvents ? events : []) {
      const artifact = target === 'auto' ? artifactFor(join(out, event.kind), event.kind, event.eventType) : artifactFor(out, target, event.eventType);
      if (!artifact) continue;
      console.log(`\n$ edge run ${artifact} --event ${event.file}`);
      if ((await main(['run', artifact, '--event', event.file])) !== 0) failures++;
    }
  }
}
// The CDK app (no example.json): synthesized into a template, as `npx cdk synth` would.
console.log('\n== cdk-app');
if ((await import('node:child_process')).spawnSync(process.execPath, [join(here, 'cdk-app', 'app.mjs')], { stdio: 'inherit' }).status !== 0) failures++;

console.log(failures ? `\n${failures} failure(s)` : '\nall examples built and ran');
process.exitCode = failures ? 1 : 0;

function sampleEvents(dir, target) {
  const folder = join(dir, 'events', target === 'cf' ? 'cf' : 'lambda');
  if (!existsSync(folder)) return [];
  return readdirSync(folder).filter((f) => f.endsWith('.json')).sort().map((f) => {
    const file = join(folder, f);
    const event = JSON.parse(readFileSync(file, 'utf8'));
    const eventType = event.Records ? event.Records[0].cf.config.eventType : event.context.eventType;
    return { file, eventType, kind: event.Records ? 'lambda' : 'cf' };
  });
}

function artifactFor(out, target, eventType) {
  const file = target === 'cf' ? join(out, `${eventType}.js`) : join(out, eventType, 'index.js');
  return existsSync(file) ? file : undefined;
}
