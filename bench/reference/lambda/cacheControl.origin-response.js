// Hand-written Lambda@Edge handler (Node.js), origin-response: the cache-control example (issue 17).
'use strict';

exports.handler = async (event) => {
  const response = event.Records[0].cf.response;
  const headers = response.headers;
  if (!headers['cache-control'] || !headers['cache-control'].length) {
    const status = Number(response.status);
    if (status >= 200 && status <= 399) headers['cache-control'] = [{ key: 'Cache-Control', value: 'public, max-age=86400' }];
  }
  return response;
};
