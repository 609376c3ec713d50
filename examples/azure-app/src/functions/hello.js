import { app } from '@azure/functions';

app.http('hello-world', {
  methods: ['GET', 'POST'],
  route: 'hello/{name?}',
  authLevel: 'anonymous',
  handler: async (request, context) => {
    context.log(`Http function processed request for url "${request.url}"`);
    const name = request.params.name || request.query.get('name') || (await request.text()) || 'world';
    return { body: `Hello, ${name}!` };
  },
});

app.get('getProduct', {
  route: 'products/{id:int}',
  handler: async (request) => ({
    status: 200,
    jsonBody: { id: Number(request.params.id), name: `product ${request.params.id}` },
    headers: { 'x-served-by': 'azure-app' },
    cookies: [{ name: 'last-product', value: request.params.id, httpOnly: true, sameSite: 'Lax' }],
  }),
});

app.http('stats', {
  methods: ['GET'],
  authLevel: 'function',
  handler: async (request, context) => ({ jsonBody: { function: context.functionName, invocationId: context.invocationId } }),
});
