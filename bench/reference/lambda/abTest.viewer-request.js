// Hand-written Lambda@Edge handler (Node.js), viewer-request: the ab-test example (issue 17).
'use strict';

function cookieOf(headers, name) {
  const list = headers.cookie;
  if (!list) return undefined;
  for (let i = 0; i < list.length; i++) {
    const parts = list[i].value.split(';');
    for (let k = 0; k < parts.length; k++) {
      const eq = parts[k].indexOf('=');
      if (eq >= 0 && parts[k].slice(0, eq).trim() === name) return parts[k].slice(eq + 1).trim();
    }
  }
  return undefined;
}

exports.handler = async (event) => {
  const request = event.Records[0].cf.request;
  let variant = cookieOf(request.headers, 'ab-home');
  if (variant !== 'a' && variant !== 'b') variant = Math.random() < 0.9 ? 'a' : 'b';
  request.headers['x-ab-home'] = [{ key: 'x-ab-home', value: variant }];
  request.uri = '/' + variant + request.uri;
  return request;
};
