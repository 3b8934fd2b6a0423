// Hand-written Lambda@Edge handler (Node.js), viewer-request: indexRewrite() (issue 17).
'use strict';

exports.handler = async (event) => {
  const request = event.Records[0].cf.request;
  const uri = request.uri;
  const slash = uri.lastIndexOf('/');
  if (uri.indexOf('.', slash + 1) < 0) request.uri = slash === uri.length - 1 ? uri + 'index.html' : uri + '/index.html';
  return request;
};
