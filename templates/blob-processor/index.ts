/**
 * A blob processor: every text file uploaded under "incoming/" in the Nimbus
 * bucket "uploads" gets a summary (lines, words, bytes) written beside it under
 * "summaries/". Events arrive within milliseconds of the upload, at least once.
 *
 *   echo 'hello nimbus' > hello.txt
 *   npx nimbus blob put uploads/incoming/hello.txt hello.txt
 *   npx nimbus blob get uploads/summaries/hello.json
 *
 * Apps and scripts upload with the client as well:
 *   import { NimbusClient } from 'nimbus-functions/client';
 *   await new NimbusClient({ url, key }).blobs.put('uploads', 'incoming/a.txt', stream);
 *
 * `npm run dev` runs a local node that redeploys on every save;
 * `npm run deploy` sends the app to the node at NIMBUS_URL.
 */
import { blob } from 'nimbus-functions';

interface Summary {
  source: string;
  lines: number;
  words: number;
  bytes: number;
  summarisedAt: string;
}

export const summarise = blob(
  {
    bucket: 'uploads',
    // {name} captures one path segment; {rest**} would capture several.
    path: 'incoming/{name}.txt',
    events: ['created', 'updated'],
    maxAttempts: 5,
    memoryMb: 256,
  },
  async (event, ctx) => {
    const object = await ctx.blobs.get(event.bucket, event.key);
    if (!object) return; // deleted again before this event was handled
    const text = await object.text();
    const summary: Summary = {
      source: event.key,
      lines: text === '' ? 0 : text.replace(/\n$/, '').split('\n').length,
      words: text.split(/\s+/).filter(Boolean).length,
      bytes: object.size,
      summarisedAt: new Date().toISOString(),
    };
    // Written outside "incoming/", so it does not trigger this function again.
    await ctx.blobs.put(event.bucket, `summaries/${event.params.name}.json`, JSON.stringify(summary), { contentType: 'application/json' });
    ctx.log.info(`${event.key}: ${summary.words} words`);
  },
);
