// Hand-written Lambda@Edge handler (Node.js), viewer-request: normalizeQuery({ deny: utm_source,
// utm_medium, utm_campaign, fbclid, gclid }) (issue 17). Empty pairs go, `=` among them.
'use strict';

const DENY = new Set(['utm_source', 'utm_medium', 'utm_campaign', 'fbclid', 'gclid']);

exports.handler = async (event) => {
  const request = event.Records[0].cf.request;
  const text = request.querystring;
  if (!text || /[^\x00-\x7f]/.test(text)) return request;
  const parts = text.split('&');
  if (parts.length > 100) return request;
  const kept = [];
  for (const part of parts) {
    if (part === '' || part === '=') continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.substring(0, eq);
    if (DENY.has(name)) continue;
    const value = eq < 0 ? '' : part.substring(eq + 1);
    kept.push([name, kept.length, value === '' ? name : name + '=' + value]);
  }
  kept.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
  request.querystring = kept.map((k) => k[2]).join('&');
  return request;
};
