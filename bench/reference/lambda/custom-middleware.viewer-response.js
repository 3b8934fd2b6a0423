// Hand-written Lambda@Edge handler (Node.js), viewer-response, doing the work of the
// `custom-middleware` example's `servedBy` response hook (examples/custom-middleware/edge.ts):
// x-served-by on every response, replacing any value the origin sent.
'use strict';

exports.handler = async (event) => {
  const response = event.Records[0].cf.response;
  response.headers['x-served-by'] = [{ key: 'X-Served-By', value: 'edgeline' }];
  return response;
};
