/// <reference types="aws-cloudfront-function" />
import { describe, expectTypeOf, it } from 'vitest';
import type { CloudFrontFunctionsEvent, CloudFrontRequestEvent, CloudFrontResponseEvent } from 'aws-lambda';
import { eventFor, lambdaEvent, viewerRequest, viewerResponse } from './index.js';
import type { CffEvent, LeEvent } from '../runtime/index.js';

describe('Lambda@Edge fixtures are @types/aws-lambda events', () => {
  it('request events are CloudFrontRequestEvent', () => {
    expectTypeOf(lambdaEvent('viewer-request')).toExtend<CloudFrontRequestEvent>();
    expectTypeOf(lambdaEvent('origin-request', { body: { data: 'aGk=' } })).toExtend<CloudFrontRequestEvent>();
    expectTypeOf(eventFor('lambda', 'origin-request')).toExtend<CloudFrontRequestEvent>();
    const event: CloudFrontRequestEvent = lambdaEvent('viewer-request', { uri: '/a' });
    expectTypeOf(event.Records[0].cf.request.uri).toBeString();
  });

  it('response events are CloudFrontResponseEvent', () => {
    expectTypeOf(lambdaEvent('origin-response')).toExtend<CloudFrontResponseEvent>();
    expectTypeOf(lambdaEvent('viewer-response', { status: 404 })).toExtend<CloudFrontResponseEvent>();
    expectTypeOf(eventFor('lambda', 'viewer-response')).toExtend<CloudFrontResponseEvent>();
    // A request event is not a response event.
    expectTypeOf(lambdaEvent('origin-request')).not.toExtend<CloudFrontResponseEvent>();
  });

  it('stay events runPipeline takes', () => {
    expectTypeOf(lambdaEvent('origin-response')).toExtend<LeEvent>();
    expectTypeOf(eventFor('lambda', 'viewer-request')).toExtend<LeEvent>();
  });
});

describe('CloudFront Functions fixtures are @types/aws-cloudfront-function and aws-lambda events', () => {
  type Fn = AWSCloudFrontFunction.Event;

  it('a viewer-response event is CloudFrontFunctionsEvent (aws-lambda)', () => {
    expectTypeOf(viewerResponse()).toExtend<CloudFrontFunctionsEvent>();
    expectTypeOf(eventFor('cff', 'viewer-response')).toExtend<CloudFrontFunctionsEvent>();
  });

  it('a viewer-request event is one without a response', () => {
    // Both @types packages declare `response` on every event; CloudFront sends none at viewer-request.
    expectTypeOf(viewerRequest()).toExtend<Omit<CloudFrontFunctionsEvent, 'response'>>();
    expectTypeOf(viewerRequest()).not.toExtend<CloudFrontFunctionsEvent>();
  });

  it('context, viewer, request and response are those of AWSCloudFrontFunction.Event', () => {
    expectTypeOf(viewerRequest().version).toExtend<Fn['version']>();
    expectTypeOf(viewerRequest().context).toExtend<AWSCloudFrontFunction.Context>();
    expectTypeOf(viewerRequest().viewer).toExtend<AWSCloudFrontFunction.Viewer>();
    // `rawQueryString()` is a runtime helper method, not part of the event's JSON.
    expectTypeOf(viewerRequest().request).toExtend<AWSCloudFrontFunction.Request>();
    expectTypeOf(viewerResponse().context).toExtend<AWSCloudFrontFunction.Context>();
    expectTypeOf(viewerResponse().response).toExtend<Omit<AWSCloudFrontFunction.Response, 'cookies'>>();
    expectTypeOf(eventFor('cff', 'viewer-request').request).toExtend<AWSCloudFrontFunction.Request>();
  });

  it('stay events runPipeline takes', () => {
    expectTypeOf(viewerRequest()).toExtend<CffEvent>();
    expectTypeOf(viewerResponse()).toExtend<CffEvent>();
  });
});
