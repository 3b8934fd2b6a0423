import { describe, expect, it } from 'vitest';
import { CODES, edge, type Middleware, type Pipeline } from '@edgeline/core';
import { eventFor, runPipeline, type EventInit } from '@edgeline/core/testing';
import type { CffEvent, LeEvent } from '@edgeline/core/runtime';
import { buildCf, runInNjs } from '@edgeline/cf-target';
import { buildLambda, runLambdaArtifact } from '@edgeline/lambda-target';
import { originSelect } from '.';

// The same origin on both targets, signed the same way, proved on the built artifacts: the
// cloudfront-js-2.0 function run in njs (what it hands `cf.updateRequestOrigin`) and the Lambda@Edge
// origin-request handler run in Node (the `request.origin` and Host it returns), each also against
// the TypeScript source run by runPipeline.

/** One origin as both targets can say it; `signed` is Origin Access Control (SigV4 for `region`). */
interface Normal {
  domainName: string;
  path: string;
  signed: boolean;
  region?: string;
  protocol?: string;
  port?: number;
}

/**
 * cloudfront-js-2.0: an S3 REST endpoint with `originAccessControlConfig.enabled` is signed with
 * OAC for its `region`; `enabled: false` is unsigned, over `customOriginConfig`.
 */
function fromCf(p: Record<string, any>): Normal {
  const oac = p.originAccessControlConfig;
  const n: Normal = { domainName: p.domainName, path: p.originPath || '', signed: oac.enabled === true };
  if (n.signed) n.region = oac.region;
  else Object.assign(n, { protocol: p.customOriginConfig.protocol, port: p.customOriginConfig.port });
  return n;
}

/**
 * Lambda@Edge: an `s3` origin with `authMethod: 'none'` is signed by CloudFront with the cache
 * behavior's Origin Access Control, SigV4 for `s3.region` (the event has no OAC field); a `custom`
 * origin is never signed.
 */
function fromLambda(r: Record<string, any>): Normal {
  const host = r.headers.host[0].value;
  if (r.origin.s3) {
    const s3 = r.origin.s3;
    expect(s3.authMethod).toBe('none');
    expect(host).toBe(s3.domainName);
    return { domainName: s3.domainName, path: s3.path, signed: true, region: s3.region };
  }
  const c = r.origin.custom;
  expect(host).toBe(c.domainName);
  return { domainName: c.domainName, path: c.path, signed: false, protocol: c.protocol, port: c.port };
}

/**
 * Runs each request through both built artifacts and the source on both shapes; returns the origin
 * each chose (undefined: the distribution's origin kept), after checking the four agree.
 */
async function originsEverywhere(mw: Middleware, inits: EventInit[]): Promise<(Normal | undefined)[]> {
  const pipeline = edge().use(mw) as Pipeline<never>;
  const cf = await buildCf({ pipeline, runtime: 'cloudfront-js-2.0' });
  const lambda = await buildLambda({ pipeline });
  if (!cf.ok || !lambda.ok) throw new Error('build rejected');
  const cfCode = cf.artifacts.find((a) => a.eventType === 'viewer-request')!.code;
  const lambdaCode = lambda.artifacts.find((a) => a.eventType === 'origin-request')!.code;
  const cfEvents = inits.map((init) => eventFor('cff', 'viewer-request', init) as CffEvent);
  const njs = await runInNjs(cfCode, cfEvents.map((e) => structuredClone(e)), { runtime: 'cloudfront-js-2.0' });
  const out: (Normal | undefined)[] = [];
  for (let i = 0; i < inits.length; i++) {
    const run = njs[i];
    if (!run.ok) throw new Error(`njs: ${run.error}`);
    const cfSource = await runPipeline(mw, structuredClone(cfEvents[i]), { target: 'cloudfront-js-2.0' });
    expect(run.origin, 'njs artifact vs source (cf)').toEqual(cfSource.kind === 'forward' ? cfSource.origin : undefined);

    const leEvent = eventFor('lambda', 'origin-request', inits[i]) as LeEvent;
    const before = structuredClone(leEvent.Records[0].cf.request) as Record<string, any>;
    const raw = (await runLambdaArtifact(lambdaCode, structuredClone(leEvent))) as Record<string, any>;
    const leSource = await runPipeline(mw, structuredClone(leEvent));
    expect(raw, 'lambda artifact vs source').toEqual(leSource.raw);

    const cfOrigin = run.origin ? fromCf(run.origin) : undefined;
    const leOrigin = JSON.stringify(raw.origin) !== JSON.stringify(before.origin) ? fromLambda(raw) : undefined;
    expect(leOrigin, `same origin on both targets for ${JSON.stringify(inits[i])}`).toEqual(cfOrigin);
    out.push(cfOrigin);
  }
  return out;
}

const S3_EU = { s3: { bucket: 'assets-eu', region: 'eu-central-1', path: '/static' } };
const S3_AP = { s3: { domainName: 'assets-ap.s3.ap-southeast-2.amazonaws.com' } };
const S3_US = { s3: { domainName: 'assets-us.s3.amazonaws.com', region: 'us-east-1' } };
const BETA = { custom: { domainName: 'beta.example.com', protocol: 'https' as const, port: 8443, path: '/v2' } };
const PLAIN = { custom: { domainName: 'origin.example.com' } };
const HTTP = { custom: { domainName: 'legacy.example.com', protocol: 'http' as const } };
const byPick = { 'x-pick': { eu: S3_EU, ap: S3_AP, us: S3_US, beta: BETA, plain: PLAIN, http: HTTP } };
const picks = ['eu', 'ap', 'us', 'beta', 'plain', 'http', 'none'].map((v) => ({ headers: { 'x-pick': v } }));

describe('originSelect: the same origin on cloudfront-js-2.0 and Lambda@Edge (built artifacts)', () => {
  it('S3 origins signed with Origin Access Control for the bucket region; custom origins unsigned', async () => {
    const origins = await originsEverywhere(originSelect({ byHeader: byPick }), picks);
    expect(origins).toEqual([
      { domainName: 'assets-eu.s3.eu-central-1.amazonaws.com', path: '/static', signed: true, region: 'eu-central-1' },
      { domainName: 'assets-ap.s3.ap-southeast-2.amazonaws.com', path: '', signed: true, region: 'ap-southeast-2' },
      { domainName: 'assets-us.s3.us-east-1.amazonaws.com', path: '', signed: true, region: 'us-east-1' },
      { domainName: 'beta.example.com', path: '/v2', signed: false, protocol: 'https', port: 8443 },
      { domainName: 'origin.example.com', path: '', signed: false, protocol: 'https', port: 443 },
      { domainName: 'legacy.example.com', path: '', signed: false, protocol: 'http', port: 80 },
      undefined,
    ]);
  });

  it('gives cf 2.0 the OAC fields in full (region included) and Lambda@Edge the S3 origin object', async () => {
    const pipeline = edge().use(originSelect({ default: S3_EU })) as Pipeline<never>;
    const cf = await buildCf({ pipeline, runtime: 'cloudfront-js-2.0' });
    const lambda = await buildLambda({ pipeline });
    if (!cf.ok || !lambda.ok) throw new Error('build rejected');
    const [run] = await runInNjs(cf.artifacts[0].code, [eventFor('cff', 'viewer-request', {}) as CffEvent], { runtime: 'cloudfront-js-2.0' });
    expect(run).toEqual({
      ok: true, result: expect.anything(),
      origin: {
        domainName: 'assets-eu.s3.eu-central-1.amazonaws.com',
        originPath: '/static',
        originAccessControlConfig: { enabled: true, region: 'eu-central-1', signingBehavior: 'always', signingProtocol: 'sigv4', originType: 's3' },
      },
    });
    const raw = (await runLambdaArtifact(lambda.artifacts[0].code, eventFor('lambda', 'origin-request', {}) as LeEvent)) as Record<string, any>;
    expect(raw.origin).toEqual({
      s3: { domainName: 'assets-eu.s3.eu-central-1.amazonaws.com', region: 'eu-central-1', authMethod: 'none', path: '/static', customHeaders: {} },
    });
    expect(raw.headers.host).toEqual([{ key: 'Host', value: 'assets-eu.s3.eu-central-1.amazonaws.com' }]);
  });

  it('oac: false sends every S3 origin unsigned on both targets (HTTPS to the regional REST endpoint)', async () => {
    const origins = await originsEverywhere(originSelect({ byHeader: byPick, oac: false }), picks);
    expect(origins.slice(0, 3)).toEqual([
      { domainName: 'assets-eu.s3.eu-central-1.amazonaws.com', path: '/static', signed: false, protocol: 'https', port: 443 },
      { domainName: 'assets-ap.s3.ap-southeast-2.amazonaws.com', path: '', signed: false, protocol: 'https', port: 443 },
      { domainName: 'assets-us.s3.us-east-1.amazonaws.com', path: '', signed: false, protocol: 'https', port: 443 },
    ]);
    // Custom origins are unsigned either way.
    expect(origins.slice(3)).toEqual((await originsEverywhere(originSelect({ byHeader: byPick }), picks)).slice(3));
  });

  it('picks by header values that are Object.prototype names as listed, and ignores the others', async () => {
    const mw = originSelect({ byHeader: { 'x-pick': { constructor: BETA, toString: S3_EU } }, byCountry: { DE: S3_AP } });
    const values = ['constructor', 'toString', 'valueOf', '__proto__', 'hasOwnProperty', '__defineGetter__', 'prototype'];
    const origins = await originsEverywhere(mw, [...values.map((v) => ({ headers: { 'x-pick': v } })), { country: 'constructor' }, { country: '__proto__' }]);
    expect(origins.map((o) => o && o.domainName)).toEqual([
      'beta.example.com', 'assets-eu.s3.eu-central-1.amazonaws.com', undefined, undefined, undefined, undefined, undefined, undefined, undefined,
    ]);
  });
});

describe('originSelect refuses, naming itself and the option', () => {
  const refused = (options: unknown, option: string) => {
    let error: unknown;
    try {
      originSelect(options as never);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: CODES.config, option, middleware: 'originSelect' });
    expect((error as Error).message).toMatch(new RegExp(`^originSelect ${option.replace(/[.$]/g, '\\$&')}: `));
  };

  it('an S3 origin whose region cannot be known', () => {
    refused({ default: { s3: { bucket: 'assets' } } }, 'default.s3.region');
    refused({ default: { s3: { domainName: 'assets.s3.amazonaws.com' } } }, 'default.s3.region');
    refused({ byCountry: { DE: { s3: { domainName: 'assets.s3.amazonaws.com' } } }, oac: false }, 'byCountry.DE.s3.region');
    refused({ default: { s3: { domainName: 'assets.s3.eu-west-1.amazonaws.com', region: 'us-east-1' } } }, 'default.s3.region');
    refused({ default: { s3: { domainName: 'assets.s3-website-eu-west-1.amazonaws.com' } } }, 'default.s3.domainName');
    refused({ default: { s3: { domainName: 'assets.s3.eu-west-1.amazonaws.com', bucket: 'assets' } } }, 'default.s3.domainName');
    refused({ default: { s3: { bucket: 'assets', region: 'mars-1' } } }, 'default.s3.region');
    refused({ default: { s3: { bucket: 'assets', region: 'eu-west-1' } }, oac: 'no' }, 'oac');
  });

  it('reads the region from a regional S3 domain name, either form', () => {
    const config = (o: unknown) => (originSelect({ default: o } as never).config as { origins: unknown[] }).origins[0];
    expect(config({ s3: { domainName: 'Assets.s3.eu-west-1.amazonaws.com' } })).toEqual({ s3: { bucket: 'assets', region: 'eu-west-1' } });
    expect(config({ s3: { domainName: 'assets.s3-eu-west-1.amazonaws.com', path: '/x' } })).toEqual({ s3: { bucket: 'assets', region: 'eu-west-1', path: '/x' } });
    expect(config({ s3: { domainName: 'assets.s3.amazonaws.com', region: 'sa-east-1' } })).toEqual({ s3: { bucket: 'assets', region: 'sa-east-1' } });
  });

  it('byHeader names and keys that are Object.prototype names (issue 12 item 4)', () => {
    refused({ byHeader: { constructor: { a: { custom: { domainName: 'a.example.com' } } } } }, 'byHeader');
    refused({ byHeader: { Constructor: { a: { custom: { domainName: 'a.example.com' } } } } }, 'byHeader');
    refused({ byHeader: JSON.parse('{"__proto__": {"a": {"custom": {"domainName": "a.example.com"}}}}') }, 'byHeader');
    refused({ byHeader: { __proto__: { a: { custom: { domainName: 'a.example.com' } } } } }, 'byHeader.__proto__');
    refused({ byHeader: { 'x-a': JSON.parse('{"__proto__": {"custom": {"domainName": "a.example.com"}}}') } }, 'byHeader.x-a.__proto__');
    refused({ byHeader: { 'x-a': { __proto__: { custom: { domainName: 'a.example.com' } } } } }, 'byHeader.x-a.__proto__');
    refused({ byCountry: { __proto__: { custom: { domainName: 'a.example.com' } } } }, 'byCountry.__proto__');
    refused({ byCountry: { constructor: { custom: { domainName: 'a.example.com' } } } }, 'byCountry.constructor');
    refused({ byHeader: { 'x-a': { a: { custom: { domainName: 'a.example.com' } } }, 'X-A': { b: { custom: { domainName: 'b.example.com' } } } } }, 'byHeader.X-A');
  });
});
