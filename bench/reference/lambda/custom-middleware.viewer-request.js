// Hand-written Lambda@Edge handler (Node.js), viewer-request, doing the work of the
// `custom-middleware` example (examples/custom-middleware/edge.ts): the `abBucket` request hook
// (403 for /internal/, else an A/B bucket from the md5 of the `uid` cookie or the viewer IP), plus
// the `servedBy` response hook on the 403 given here (CloudFront runs no viewer-response function
// for an answer generated at viewer-request).
'use strict';
const crypto = require('crypto');

function cookie(headers, name) {
  const list = headers.cookie;
  if (!list) return undefined;
  const prefix = name + '=';
  for (let i = 0; i < list.length; i++) {
    const parts = list[i].value.split(';');
    for (let j = 0; j < parts.length; j++) {
      const part = parts[j].trim();
      if (part.startsWith(prefix)) return part.slice(prefix.length);
    }
  }
  return undefined;
}

exports.handler = async (event) => {
  const request = event.Records[0].cf.request;
  if (request.uri.startsWith('/internal/')) {
    return {
      status: '403',
      headers: {
        'content-type': [{ key: 'Content-Type', value: 'text/plain' }],
        'x-served-by': [{ key: 'X-Served-By', value: 'edgeline' }],
      },
      body: 'forbidden',
      bodyEncoding: 'text',
    };
  }
  const headers = request.headers;
  const id = cookie(headers, 'uid') || request.clientIp;
  const digest = crypto.createHash('md5').update(id).digest('hex');
  headers['x-ab-bucket'] = [{ key: 'X-Ab-Bucket', value: String(parseInt(digest.slice(0, 8), 16) % 2) }];
  return request;
};
