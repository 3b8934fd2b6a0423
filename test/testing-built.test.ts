import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { edge } from '@edgeline/core';
import { eventFor, expectSameEverywhere, runBuilt, runPipeline, type EventInit } from '@edgeline/core/testing';
import { cacheKeyFromBasicAuth, geoRedirect, securityHeaders } from '@edgeline/middleware';
import { fixture } from './helpers';

const exec = promisify(execFile);

// A user's proof for the built-ins, with the helpers of @edgeline/core/testing: what runPipeline
// gives is what the artifacts give, in njs, in the vm emulator and on Lambda@Edge.
const pipeline = edge()
  .use(securityHeaders({ contentSecurityPolicy: "default-src 'self'" }))
  .use(cacheKeyFromBasicAuth())
  .use(geoRedirect({ countries: ['de', 'fr'], fallback: 'en' }));

const basic = (user: string) => ({ authorization: `Basic ${Buffer.from(`${user}:pw`).toString('base64')}` });
const requests: EventInit[] = [
  { uri: '/' }, { uri: '/', country: 'DE' }, { uri: '/de/page', country: 'DE' }, { uri: '/shop', country: 'FR', querystring: 'a=1&a=2&b' },
  { uri: '/x', country: 'JP' }, { uri: '/en/x', headers: basic('alice') }, { uri: '/', country: 'fr', headers: basic('bob') },
  { uri: '/ü/%20', country: 'DE', cookies: { s: '1' } }, { uri: '/', headers: { authorization: 'Basic !!!' } },
];
const responses: EventInit[] = [{ status: 200 }, { status: 404, responseHeaders: { 'content-type': 'text/html', 'Set-Cookie': ['a=1', 'b=2; Path=/'] } }];

describe('@edgeline/core/testing on the built-ins', () => {
  it('expectSameEverywhere: source, emulator, njs and Lambda@Edge agree on every event', async () => {
    const events = [
      ...requests.map((init) => eventFor('cff', 'viewer-request', init)),
      ...responses.map((init) => eventFor('cff', 'viewer-response', init)),
      ...requests.map((init) => eventFor('lambda', 'viewer-request', init)),
      ...responses.flatMap((init) => [eventFor('lambda', 'viewer-response', init), eventFor('lambda', 'origin-response', init)]),
    ];
    await expectSameEverywhere(pipeline, events);
  });

  it('runBuilt: the artifact answers as runPipeline', async () => {
    const event = eventFor('cff', 'viewer-request', { uri: '/', country: 'DE' });
    const built = await runBuilt(pipeline, event);
    expect(built.kind === 'respond' && built.response.status).toBe(302);
    const { raw: _a, ...fromArtifact } = built;
    const { raw: _b, ...fromSource } = await runPipeline(pipeline, event);
    expect(fromArtifact).toEqual(fromSource);
  });

  // The helpers do not depend on vitest, and the built core finds the targets (optional peers) itself.
  it('run from the built packages under node --test (ESM) and from CommonJS', async () => {
    const body = `
      const pipeline = core.edge().use(mw.geoRedirect({ countries: ['de'], fallback: 'en' })).use(mw.cacheKeyFromBasicAuth());
      const events = [testing.viewerRequest({ country: 'DE' }), testing.viewerRequest({ uri: '/en/' }), testing.lambdaEvent('viewer-request', { country: 'DE' })];
      await testing.expectSameEverywhere(pipeline, events);
      const out = await testing.runBuilt(pipeline, testing.lambdaEvent('viewer-request', { country: 'DE' }));
      if (out.kind !== 'respond' || out.response.status !== 302) throw new Error('expected a redirect: ' + JSON.stringify(out));
      const liar = core.defineMiddleware({ name: 'liar', needs: [], request(ctx) { ctx.request.headers.set('x-v', 'hook'); },
        direct: { cff: () => ({ request: 'function (request) { request.headers["x-v"] = { value: "direct" }; return request; }' }) } });
      let message = '';
      await testing.expectSameEverywhere(liar, [testing.viewerRequest()], { engines: ['emulator'] }).catch((e) => { message = e.message; });
      if (!message.includes('request.headers.x-v')) throw new Error('expected a difference, got: ' + message);
    `;
    const dir = await fixture({
      'same.test.mjs': `import { test } from 'node:test';
import * as core from '@edgeline/core';
import * as testing from '@edgeline/core/testing';
import * as mw from '@edgeline/middleware';
test('the built-ins are the same everywhere', async () => {${body}});
`,
      'same.cjs': `const core = require('@edgeline/core');
const testing = require('@edgeline/core/testing');
const mw = require('@edgeline/middleware');
(async () => {${body}})().then(() => console.log('ok'), (e) => { console.error(e); process.exit(1); });
`,
    });
    const tap = await exec(process.execPath, ['--test', join(dir, 'same.test.mjs')], { cwd: dir, encoding: 'utf8' });
    expect(tap.stdout).toMatch(/# pass 1/);
    const cjs = await exec(process.execPath, [join(dir, 'same.cjs')], { cwd: dir, encoding: 'utf8' });
    expect(cjs.stdout.trim()).toBe('ok');
  });
});
