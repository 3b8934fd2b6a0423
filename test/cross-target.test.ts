import { describe, expect, it } from 'vitest';
import { defineMiddleware, edge, toOutcome, type Outcome } from '@edgeline/core';
import { eventFor, type EventInit } from '@edgeline/core/testing';
import type { CffEvent, LeEvent } from '@edgeline/core/runtime';
import { buildCf, runInNjs } from '@edgeline/cf-target';
import { buildLambda, runLambdaArtifact } from '@edgeline/lambda-target';

// The pipeline of the CloudFront Functions issue, built for both targets: on equivalent events,
// the Lambda@Edge artifact and the CloudFront Function (in njs) give the same outcome.
const stamp = defineMiddleware({
  name: 'stamp',
  needs: [],
  config: { value: 'edgeline' },
  response(ctx, config) {
    ctx.response.headers.set('x-served-by', config.value);
  },
});
const bucket = defineMiddleware({
  name: 'bucket',
  needs: ['crypto:hash'],
  config: { blocked: '/admin' },
  request(ctx, config) {
    if (ctx.request.uri.indexOf(config.blocked) === 0) return ctx.respond({ status: 403, headers: { 'content-type': 'text/plain' }, body: 'no' });
    if (ctx.request.uri === '/old') return ctx.redirect('/new', 301);
    const id = ctx.request.cookies.get('uid') || ctx.viewer.ip;
    ctx.request.headers.set('x-bucket', require('crypto').createHash('md5').update(id).digest('hex').slice(0, 4));
  },
});
const pipeline = edge().use(stamp).use(bucket);

/** What both shapes can express the same way: status, body, headers (lower-case, values in order), uri, query. */
function comparable(o: Outcome) {
  if (o.kind === 'forward') return { kind: o.kind, uri: o.request.uri, querystring: o.request.querystring, headers: o.request.headers };
  return { kind: o.kind, status: o.response.status, body: o.response.body, headers: o.response.headers };
}

const requests: EventInit[] = [
  { uri: '/' }, { uri: '/admin/x' }, { uri: '/old' }, { uri: '/p', cookies: { uid: 'u-1' } }, { uri: '/q', querystring: 'a=1&a=2' },
  { uri: '/ünï', ip: '2001:db8::1' }, { uri: '/x', headers: { accept: 'text/html' } },
];
const responses: EventInit[] = [{ status: 200 }, { status: 404, responseHeaders: { 'content-type': 'text/html' } }];

describe('the same pipeline on both targets', () => {
  it('gives the same outcomes on equivalent events', async () => {
    const cf = await buildCf({ pipeline });
    const lambda = await buildLambda({ pipeline });
    if (!cf.ok || !lambda.ok) throw new Error('build rejected');
    for (const [eventType, inits] of [['viewer-request', requests], ['viewer-response', responses]] as const) {
      const cfArtifact = cf.artifacts.find((a) => a.eventType === eventType)!;
      const leArtifact = lambda.artifacts.find((a) => a.eventType === eventType)!;
      const njs = await runInNjs(cfArtifact.code, inits.map((i) => eventFor('cff', eventType, i) as CffEvent));
      for (let k = 0; k < inits.length; k++) {
        const run = njs[k];
        expect(run.ok, JSON.stringify(run)).toBe(true);
        if (!run.ok) continue;
        const le = await runLambdaArtifact(leArtifact.code, eventFor('lambda', eventType, inits[k]) as LeEvent);
        expect(comparable(toOutcome(eventType, le)), JSON.stringify(inits[k])).toEqual(comparable(toOutcome(eventType, run.result)));
      }
    }
  });
});
