// Hand-written Lambda@Edge handler (Node.js), origin-request: trueClientIp() (issue 17).
'use strict';

exports.handler = async (event) => {
  const request = event.Records[0].cf.request;
  request.headers['true-client-ip'] = [{ key: 'True-Client-IP', value: request.clientIp }];
  return request;
};
