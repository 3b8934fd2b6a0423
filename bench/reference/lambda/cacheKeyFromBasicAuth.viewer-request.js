// Hand-written Lambda@Edge handler (Node.js), viewer-request: cacheKeyFromBasicAuth() (issues 5, 12):
// the md5 of the Basic auth credentials (user:password) in `username-cache-key`, for the cache key.
'use strict';
const crypto = require('crypto');
const { isUtf8 } = require('buffer');
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const HEADER = 'username-cache-key';

exports.handler = async (event) => {
  const request = event.Records[0].cf.request;
  const headers = request.headers;
  // A client must never choose its own cache key.
  delete headers[HEADER];
  const auth = headers.authorization;
  const value = auth && auth[0].value;
  if (value && value.length > 6 && value.slice(0, 6).toLowerCase() === 'basic ') {
    const encoded = value.slice(6).trim();
    const n = encoded.length;
    // As the middleware: padded only to a multiple of 4, never 4n+1 characters.
    if (BASE64.test(encoded) && n % 4 !== 1 && !(encoded[n - 1] === '=' && n % 4)) {
      const credentials = Buffer.from(encoded, 'base64');
      const colon = credentials.indexOf(0x3a);
      // Credentials that are not UTF-8 get no key.
      if (colon > 0 && isUtf8(credentials)) {
        headers[HEADER] = [{ key: HEADER, value: crypto.createHash('md5').update(credentials).digest('hex') }];
      }
    }
  }
  return request;
};
