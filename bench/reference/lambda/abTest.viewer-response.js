// Hand-written Lambda@Edge handler (Node.js), viewer-response: the ab-test example (issue 17).
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
  const { request, response } = event.Records[0].cf;
  const header = request.headers['x-ab-home'];
  const variant = header && header.length ? header[0].value : undefined;
  if ((variant === 'a' || variant === 'b') && cookieOf(request.headers, 'ab-home') !== variant) {
    (response.headers['set-cookie'] || (response.headers['set-cookie'] = [])).push({ key: 'Set-Cookie', value: 'ab-home=' + variant + '; Path=/; Max-Age=2592000; SameSite=Lax' });
  }
  return response;
};
