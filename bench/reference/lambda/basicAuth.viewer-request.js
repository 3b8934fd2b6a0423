// Hand-written Lambda@Edge handler (Node.js), viewer-request: basicAuth({ users: { preview: '...' },
// realm: 'Staging' }) (issue 17). A staging password: exactly one `Authorization: Basic` value of at
// most 2,054 characters whose credentials hash to the stored sha256 of `name:password` (compared
// in constant time) goes on without its Authorization header; anything else is a 401.
'use strict';
const crypto = require('crypto');
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
// sha256('preview:correct horse battery staple'): the password itself is not in the code.
const HASH = Buffer.from('6d73d865e4286cc70d7caf486d33fb130baf5668993e24d67ae60b926169ae6e', 'hex');

const deny = () => ({
  status: '401',
  statusDescription: 'Unauthorized',
  headers: { 'www-authenticate': [{ key: 'WWW-Authenticate', value: 'Basic realm="Staging"' }] },
});

exports.handler = async (event) => {
  const request = event.Records[0].cf.request;
  const auth = request.headers.authorization;
  // One value only, and a bounded one: the cost of a refusal does not grow with the header.
  if (!auth || auth.length !== 1) return deny();
  const value = auth[0].value;
  if (value.length > 2054 || value.length < 7 || value.charCodeAt(5) !== 32 || value.slice(0, 5).toLowerCase() !== 'basic') return deny();
  const b64 = value.slice(6).trim();
  const n = b64.length;
  if (!BASE64.test(b64) || n % 4 === 1 || (b64.charCodeAt(n - 1) === 61 && n % 4)) return deny();
  const credentials = Buffer.from(b64, 'base64');
  // The bytes are hashed as they are: text that is not UTF-8 never hashes to a password's digest.
  if (credentials.indexOf(0x3a) <= 0) return deny();
  if (!crypto.timingSafeEqual(crypto.createHash('sha256').update(credentials).digest(), HASH)) return deny();
  // The origin never sees the password.
  delete request.headers.authorization;
  return request;
};
