import { http } from 'nimbus-functions';

export const hello = http(
  { route: 'GET /hello/:name', maxInstances: 5, concurrency: 8, timeoutMs: 5_000, memoryMb: 128 },
  async (req, ctx) => {
    ctx.log.info(`said hello to ${ctx.params.name}`); // shown by `npx nimbus logs hello`
    return Response.json({ hello: ctx.params.name, id: ctx.invocationId });
  },
);
