// Hand-written Lambda@Edge handler (Node.js), viewer-request, doing the work of the `custom`
// case (bench/cases.mjs): the `bucket` request hook, plus the `stamp` response hook on the
// answers given here (CloudFront runs no viewer-response function for them).
'use strict';
const crypto = require('crypto');
const querystring = require('querystring');

function stamp(response) {
  const headers = response.headers;
  headers['x-served-by'] = [{ key: 'X-Served-By', value: 'edgeline' }];
  if (Number(response.status) >= 400) headers['cache-control'] = [{ key: 'Cache-Control', value: 'no-store' }];
  headers['set-cookie'] = [{ key: 'Set-Cookie', value: 'seen=1; Path=/' }];
  return response;
}

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
  const uri = request.uri;
  if (uri.startsWith('/admin')) {
    return stamp({
      status: '403',
      headers: { 'content-type': [{ key: 'Content-Type', value: 'text/plain' }] },
      body: 'forbidden',
      bodyEncoding: 'text',
    });
  }
  if (uri === '/old') {
    return stamp({ status: '301', headers: { location: [{ key: 'Location', value: '/new?' + request.querystring }] } });
  }
  const headers = request.headers;
  const id = cookie(headers, 'uid') || request.clientIp;
  const digest = crypto.createHash('md5').update(id).digest('hex');
  headers['x-bucket'] = [{ key: 'X-Bucket', value: String(parseInt(digest.slice(0, 8), 16) % 4) }];
  headers['x-id-md5'] = [{ key: 'X-Id-Md5', value: digest }];
  if (request.querystring) {
    const lang = querystring.parse(request.querystring).lang;
    if (lang !== undefined) request.uri = '/' + (Array.isArray(lang) ? lang[0] : lang) + uri;
  }
  return request;
};
