// A CommonJS handler in the callback style.
exports.handler = function (event, context, callback) {
  const body = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  callback(null, {
    statusCode: 201,
    multiValueHeaders: { 'x-path': [event.path], 'set-cookie': ['a=1', 'b=2'] },
    body: JSON.stringify({ resource: event.resource, proxy: event.pathParameters.proxy, stage: event.requestContext.stage, received: body }),
  });
};
