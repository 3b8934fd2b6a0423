import { describe, expect, it } from 'vitest';
import { lambdaEvent } from '@edgeline/core/testing';
import { ArtifactError, runLambdaArtifact } from './index.js';

describe('runLambdaArtifact', () => {
  it('loads the module afresh on each run and passes a Lambda context', async () => {
    const code = 'let calls = 0;\nexports.handler = async (event, context) => ({ calls: ++calls, id: typeof context.awsRequestId, left: context.getRemainingTimeInMillis() > 0, uri: event.Records[0].cf.request.uri });';
    const event = lambdaEvent('viewer-request', { uri: '/x' });
    expect(await runLambdaArtifact(code, event)).toEqual({ calls: 1, id: 'string', left: true, uri: '/x' });
    expect(await runLambdaArtifact(code, event)).toEqual({ calls: 1, id: 'string', left: true, uri: '/x' });
    expect(await runLambdaArtifact(code, event, { awsRequestId: 'given' }).then((r) => r)).toMatchObject({ id: 'string' });
  });

  it('passes the event and result as JSON, as Lambda does, and leaves the caller\'s event alone', async () => {
    const code = 'exports.handler = async (event) => { event.Records[0].cf.request.uri = "/changed"; return { when: new Date(0), skip: undefined, req: event.Records[0].cf.request }; };';
    const event = lambdaEvent('viewer-request', { uri: '/x' });
    expect(await runLambdaArtifact(code, event)).toEqual({ when: '1970-01-01T00:00:00.000Z', req: { ...event.Records[0].cf.request, uri: '/changed' } });
    expect(event.Records[0].cf.request.uri).toBe('/x');
  });

  it('requires what Node offers, from a require of its own', async () => {
    const code = 'const { createHash } = require("crypto");\nexports.handler = async () => createHash("md5").update("a").digest("hex");';
    expect(await runLambdaArtifact(code, lambdaEvent('viewer-request'))).toBe('0cc175b9c0f1b6a831c399e269772661');
  });

  it('refuses a module that is not an async (event, context) handler', async () => {
    const event = lambdaEvent('viewer-request');
    await expect(runLambdaArtifact('exports.nothing = 1;', event)).rejects.toBeInstanceOf(ArtifactError);
    await expect(runLambdaArtifact('exports.handler = (event, context, callback) => callback(null, event);', event)).rejects.toMatchObject({ code: 'ERR_EDGE_REJECTED' });
    await expect(runLambdaArtifact('exports.handler = async (event, context, callback) => event;', event)).rejects.toThrow(/no callback/);
  });

  it('collects what the handler logs, formatted, instead of printing it; lines logged before a failure too', async () => {
    const code = 'const log = console.log;\nexports.handler = async (event) => { log("uri %s", event.Records[0].cf.request.uri); console.error({ n: 1 }); await null; console.warn("late"); if (event.Records[0].cf.request.uri === "/boom") throw new Error("boom"); return "done"; };';
    const logs: string[] = [];
    expect(await runLambdaArtifact(code, lambdaEvent('viewer-request', { uri: '/x' }), {}, { logs })).toBe('done');
    expect(logs).toEqual(['uri /x', '{ n: 1 }', 'late']);
    const before: string[] = [];
    await expect(runLambdaArtifact(code, lambdaEvent('viewer-request', { uri: '/boom' }), {}, { logs: before })).rejects.toThrow('boom');
    expect(before).toEqual(['uri /boom', '{ n: 1 }', 'late']);
  });
});
