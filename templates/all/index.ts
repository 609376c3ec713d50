/**
 * A Nimbus app: every exported definition is one function, named by its export
 * name. This one has a function per trigger, passing work along:
 *
 *   GET /greet/:name ──► queue "greetings" ──► bucket "greetings" ──► a log line
 *                                                  ▲
 *                      every day at 03:00 UTC ─────┘ (clears out old greetings)
 *
 * `npm run dev` runs a local node that redeploys on every save;
 * `npm run deploy` sends the app to the node at NIMBUS_URL.
 */
import { blob, http, queue, timer, type QueueBatch } from 'nimbus-functions';

interface Greeting {
  name: string;
  at: number;
}

/**
 * HTTP: a standard Request in; a Response, a string (text) or any other value
 * (JSON) out. Route parameters are in ctx.params.
 *
 *   curl http://127.0.0.1:8080/greet/ada
 */
export const greet = http({ route: 'GET /greet/:name' }, async (req, ctx) => {
  // Also at /fn/<app>/greet, where the route has no :name.
  const name = ctx.params.name ?? 'world';
  // Hand the slow part to the queue: the caller gets its answer at once.
  await ctx.queues.send<Greeting>('greetings', { name, at: Date.now() });
  return { hello: name };
});

/**
 * Queue: messages arrive in batches, at least once. Throw to retry the whole
 * batch, or return { failed: [ids] } to retry only those messages; after
 * maxAttempts they wait in the dead-letter queue "greetings.dlq".
 *
 *   npx nimbus queue send greetings --data '{"name":"grace","at":0}'
 */
export const storeGreeting = queue({ queue: 'greetings', batchSize: 10, maxAttempts: 5 }, async (batch: QueueBatch<Greeting>, ctx) => {
  for (const message of batch.messages) {
    // Keyed by name: a message delivered twice writes the same object twice, which is harmless.
    await ctx.blobs.put('greetings', `${message.body.name}.json`, JSON.stringify(message.body), { contentType: 'application/json' });
  }
});

/**
 * Blob: runs for every object created or overwritten under a path pattern in a
 * bucket; {name} captures one path segment.
 *
 *   npx nimbus blob get greetings/ada.json
 */
export const greetingStored = blob({ bucket: 'greetings', path: '{name}.json', events: ['created', 'updated'] }, async (event, ctx) => {
  ctx.log.info(`stored the greeting for ${event.params.name} (${event.size} bytes)`);
});

/**
 * Timer: a cron schedule (5 fields, or 6 with seconds first) in an IANA time zone.
 *
 *   npx nimbus timers run <app>/clearGreetings     runs it now
 */
export const clearGreetings = timer({ cron: '0 3 * * *', timezone: 'UTC' }, async (tick, ctx) => {
  const dayAgo = Date.parse(tick.scheduledAt) - 24 * 60 * 60 * 1000;
  let removed = 0;
  try {
    const { objects } = await ctx.blobs.list('greetings', { limit: 1000 });
    for (const object of objects.filter((o) => o.lastModified < dayAgo)) {
      await ctx.blobs.delete('greetings', object.key);
      removed += 1;
    }
  } catch (error) {
    // A bucket is made by its first write: before the first greeting there is nothing to clear.
    if ((error as { code?: string }).code !== 'NIMBUS_ERR_BLOB_BUCKET_NOT_FOUND') throw error;
  }
  ctx.log.info(`removed ${removed} old greeting(s)`);
});
