import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { lambdaEvent } from '@edgeline/core/testing';
import type { LeEvent } from '@edgeline/core/runtime';
import { guard, type GuardOptions, type LambdaHandler } from './index.js';

const never: LambdaHandler = () => new Promise(() => {});
const fails: LambdaHandler = async () => {
  throw new Error('bug');
};
const options = (eventType: string, deadlineMs = 10): GuardOptions => ({ eventType, deadlineMs, marginMs: 500 });

describe('guard', () => {
  let errors: MockInstance;
  beforeEach(() => {
    errors = vi.spyOn(console, 'error').mockImplementation(() => {});
  });
  afterEach(() => errors.mockRestore());
  const logged = () => errors.mock.calls.map((c) => JSON.parse(String(c[0])));

  it('returns an async (event, context) function that passes results through', async () => {
    const handler = guard(async (event) => event.Records[0].cf.request, options('viewer-request', 0));
    expect(handler.constructor.name).toBe('AsyncFunction');
    expect(handler.length).toBe(2);
    expect(await handler(lambdaEvent('viewer-request', { uri: '/a' }))).toMatchObject({ uri: '/a' });
    expect(errors).not.toHaveBeenCalled();
  });

  it('never throws: 502 at a request trigger, the response at a response trigger, logged with the request ids', async () => {
    const event = lambdaEvent('origin-request', { requestId: 'cf-1' });
    expect(await guard(fails, options('origin-request', 0))(event, { awsRequestId: 'aws-1' })).toEqual({ status: '502', statusDescription: 'Bad Gateway', headers: {} });
    expect(logged()[0]).toMatchObject({ edgeline: 'handler error', eventType: 'origin-request', requestId: 'cf-1', awsRequestId: 'aws-1' });
    const response = lambdaEvent('viewer-response', { status: 404 });
    expect(await guard(fails, options('viewer-response'))(response)).toEqual(response.Records[0].cf.response);
    expect(await guard(fails, options('viewer-response'))({} as LeEvent)).toMatchObject({ status: '502' });
  });

  it('for a synchronous handler, the same contract without an await', async () => {
    const sync = { eventType: 'origin-request', deadlineMs: 0, marginMs: 500, sync: true };
    const handler = guard((event) => event.Records[0].cf.request, sync);
    expect(handler.constructor.name).toBe('AsyncFunction');
    expect(handler.toString()).not.toMatch(/\bawait\b/);
    expect(await handler(lambdaEvent('origin-request', { uri: '/s' }))).toMatchObject({ uri: '/s' });
    const throws = guard(() => {
      throw new Error('bug');
    }, sync);
    expect(await throws(lambdaEvent('origin-request', { requestId: 'cf-3' }))).toEqual({ status: '502', statusDescription: 'Bad Gateway', headers: {} });
    expect(logged()[0]).toMatchObject({ edgeline: 'handler error', requestId: 'cf-3' });
    const response = lambdaEvent('origin-response', { status: 404 });
    expect(await guard(() => {
      throw new Error('bug');
    }, { ...sync, eventType: 'origin-response' })(response)).toEqual(response.Records[0].cf.response);
  });

  it('answers 504 at a request trigger when the hooks miss the deadline', async () => {
    const event = lambdaEvent('viewer-request', { requestId: 'cf-2' });
    expect(await guard(never, options('viewer-request'))(event)).toEqual({ status: '504', statusDescription: 'Gateway Timeout', headers: {} });
    expect(logged()[0]).toMatchObject({ edgeline: 'deadline exceeded', requestId: 'cf-2' });
  });

  it('gives back the response as it came at a response trigger, whatever the hooks did to it before the deadline', async () => {
    const event = lambdaEvent('origin-response', { status: 200, responseHeaders: { 'X-A': ['1', '2'] } });
    const before = structuredClone(event.Records[0].cf.response);
    const meddles: LambdaHandler = (e) => {
      const r = e.Records[0].cf.response!;
      r.status = '500';
      r.headers['x-a'].push({ key: 'X-A', value: '3' });
      r.headers['x-b'] = [{ key: 'X-B', value: 'b' }];
      return new Promise(() => {});
    };
    expect(await guard(meddles, options('origin-response'))(event)).toEqual(before);
  });

  it('takes the time Lambda says is left, less the margin, when that is shorter', async () => {
    const context = { getRemainingTimeInMillis: () => 510 };
    expect(await guard(never, options('viewer-request', 60_000))(lambdaEvent('viewer-request'), context)).toMatchObject({ status: '504' });
    expect(logged()[0].error).toMatch(/within 10 ms/);
  });

  it('a rejection after the deadline goes nowhere', async () => {
    let reject: (e: Error) => void = () => {};
    const late: LambdaHandler = () => new Promise((_, r) => { reject = r; });
    expect(await guard(late, options('viewer-request'))(lambdaEvent('viewer-request'))).toMatchObject({ status: '504' });
    reject(new Error('too late'));
    await new Promise((r) => setImmediate(r));
  });
});
