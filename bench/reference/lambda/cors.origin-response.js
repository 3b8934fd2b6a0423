// Hand-written Lambda@Edge handler (Node.js), origin-response: the CORS headers of examples/cors
// (issue 17), cached with the object (the cache policy includes Origin). Vary: Origin joins the
// origin's Vary; an allowed Origin gets Allow-Origin, Allow-Credentials and Expose-Headers; for
// any other request a grant the origin server sent is removed.
'use strict';

const ALLOWED = /^(https:\/\/(app|[a-z0-9-]+\.preview)\.example\.com|http:\/\/localhost:3000)$/;

exports.handler = async (event) => {
  const { request, response } = event.Records[0].cf;
  const headers = response.headers;
  const vary = headers.vary;
  if (!vary || !vary.length) {
    headers.vary = [{ key: 'vary', value: 'Origin' }];
  } else {
    const values = vary.map((v) => v.value);
    const tokens = `,${values.join(',').toLowerCase()},`.replace(/[ \t]/g, '');
    if (!tokens.includes(',origin,') && !tokens.includes(',*,')) headers.vary = [{ key: vary[0].key || 'vary', value: `${values.join(', ')}, Origin` }];
  }
  const origin = request.headers.origin;
  const value = origin && origin.length ? origin[0].value : '';
  const set = (name, v) => {
    const old = headers[name];
    headers[name] = [{ key: old && old.length && old[0].key ? old[0].key : name, value: v }];
  };
  if (value && value.length <= 300 && ALLOWED.test(value)) {
    set('access-control-allow-origin', value);
    set('access-control-allow-credentials', 'true');
    set('access-control-expose-headers', 'x-request-id');
  } else {
    delete headers['access-control-allow-origin'];
    delete headers['access-control-allow-credentials'];
  }
  return response;
};
