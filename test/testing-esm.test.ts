import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { fixture } from './helpers';

const exec = promisify(execFile);

// Users run the built packages from a plain ES module (a new project's default, and `node --test`)
// as well as from CommonJS. Each built-in goes through runPipeline there, on the paths where its
// hooks call require() (crypto, buffer, jose, dns): the ESM build must give them a `require`.
const CHECKS = `
async function checks(testing, mw) {
  const crypto = await import('node:crypto');
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const secret = 'a-secret-of-at-least-32-bytes-long!!';
  const hsHead = b64({ alg: 'HS256', typ: 'JWT' }), hsBody = b64({ exp: now + 600 });
  const hs = hsHead + '.' + hsBody + '.' + crypto.createHmac('sha256', secret).update(hsHead + '.' + hsBody).digest('base64url');
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rsHead = b64({ alg: 'RS256', typ: 'JWT' });
  const rs = rsHead + '.' + hsBody + '.' + crypto.sign('sha256', Buffer.from(rsHead + '.' + hsBody), privateKey).toString('base64url');
  const bearer = (t) => ({ authorization: 'Bearer ' + t });
  const silent = { log: () => {} };
  const summary = (out) => out.kind === 'forward'
    ? { kind: out.kind, headers: out.request.headers, origin: out.origin }
    : { kind: out.kind, status: out.response.status, location: out.response.headers.location, hsts: out.response.headers['strict-transport-security'] };
  const run = async (m, event, options) => summary(await testing.runPipeline(m, event, { ...silent, ...options }));
  const basic = { authorization: 'Basic ' + Buffer.from('alice:pw').toString('base64') };
  return {
    geoRedirect: await run(mw.geoRedirect({ countries: ['de', 'fr'], fallback: 'en' }), testing.viewerRequest({ uri: '/', country: 'DE' })),
    cacheKeyCff: await run(mw.cacheKeyFromBasicAuth(), testing.viewerRequest({ headers: basic })),
    cacheKeyLambda: await run(mw.cacheKeyFromBasicAuth(), testing.lambdaEvent('viewer-request', { headers: basic })),
    securityHeaders: await run(mw.securityHeaders(), testing.viewerResponse()),
    jwtSecret: await run(mw.jwtVerify({ secret, algorithms: ['HS256'] }), testing.viewerRequest({ headers: bearer(hs) })),
    jwtJwks: await run(mw.jwtVerify({ jwks: { keys: [publicKey.export({ format: 'jwk' })] }, algorithms: ['RS256'] }), testing.lambdaEvent('viewer-request', { headers: bearer(rs) })),
    jwtJwksUrl: await run(mw.jwtVerify({ jwksUrl: 'http://127.0.0.1:9/jwks.json', jwksTimeout: 500, algorithms: ['RS256'] }), testing.lambdaEvent('viewer-request', { headers: bearer(rs) })),
    originSelect: await run(
      mw.originSelect({ dnsTxt: 'nearest.assets.invalid', dnsServer: '127.0.0.1:9', default: { custom: { domainName: 'origin.example.com' } } }),
      testing.lambdaEvent('origin-request'),
    ),
  };
}
`;

const MJS = `import * as testing from '@edgeline/core/testing';
import * as mw from '@edgeline/middleware';
${CHECKS}
console.log(JSON.stringify(await checks(testing, mw)));
`;

const CJS = `const testing = require('@edgeline/core/testing');
const mw = require('@edgeline/middleware');
${CHECKS}
checks(testing, mw).then((r) => console.log(JSON.stringify(r)));
`;

const NODE_TEST = `import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as testing from '@edgeline/core/testing';
import * as mw from '@edgeline/middleware';
${CHECKS}
test('every built-in runs from an ES module under node --test', async () => {
  const r = await checks(testing, mw);
  assert.equal(r.jwtSecret.kind, 'forward');
  assert.equal(r.jwtJwks.kind, 'forward');
  assert.equal(r.cacheKeyCff.headers['username-cache-key'].length, 1);
});
`;

async function node(args: string[], cwd: string): Promise<string> {
  const { stdout } = await exec(process.execPath, args, { cwd, encoding: 'utf8' });
  return stdout;
}

describe('the built packages from plain Node', () => {
  it('run every built-in from an ES module, from CommonJS and under node --test, with the same outcomes', async () => {
    const dir = await fixture({ 'check.mjs': MJS, 'check.cjs': CJS, 'check.test.mjs': NODE_TEST });
    const fromEsm = JSON.parse(await node([join(dir, 'check.mjs')], dir));
    const fromCjs = JSON.parse(await node([join(dir, 'check.cjs')], dir));
    expect(fromEsm).toEqual(fromCjs);
    expect(fromEsm.geoRedirect).toMatchObject({ kind: 'respond', status: 302, location: ['/de/'] });
    expect(fromEsm.cacheKeyCff.headers['username-cache-key']).toHaveLength(1);
    expect(fromEsm.cacheKeyLambda.headers['username-cache-key']).toEqual(fromEsm.cacheKeyCff.headers['username-cache-key']);
    expect(fromEsm.securityHeaders.hsts).toHaveLength(1);
    expect(fromEsm.jwtSecret.kind).toBe('forward');
    expect(fromEsm.jwtJwks.kind).toBe('forward');
    expect(fromEsm.jwtJwksUrl).toMatchObject({ kind: 'respond', status: 401 });
    expect(fromEsm.originSelect.kind).toBe('forward');
    // node --test exits non-zero (execFile rejects) when a test fails.
    const tap = await node(['--test', join(dir, 'check.test.mjs')], dir);
    expect(tap).toMatch(/# pass 1/);
  });
});
