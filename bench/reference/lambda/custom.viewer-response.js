// Hand-written Lambda@Edge handler (Node.js), viewer-response, doing the work of the `custom`
// case's `stamp` response hook (bench/cases.mjs).
'use strict';

exports.handler = async (event) => {
  const response = event.Records[0].cf.response;
  const headers = response.headers;
  headers['x-served-by'] = [{ key: 'X-Served-By', value: 'edgeline' }];
  if (Number(response.status) >= 400) headers['cache-control'] = [{ key: 'Cache-Control', value: 'no-store' }];
  (headers['set-cookie'] || (headers['set-cookie'] = [])).push({ key: 'Set-Cookie', value: 'seen=1; Path=/' });
  return response;
};
