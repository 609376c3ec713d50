/**
 * A cron job: every 15 minutes, writes a report of what the bucket "uploads"
 * holds to the bucket "reports". At most one run at a time; a time missed
 * while no node was running is made up once.
 *
 *   npx nimbus timers ls                       the next three times
 *   npx nimbus timers run <app>/report         runs it now
 *   npx nimbus timers history <app>/report     past runs and their outcome
 *
 * `npm run dev` runs a local node that redeploys on every save;
 * `npm run deploy` sends the app to the node at NIMBUS_URL.
 */
import { timer, type FunctionBlobs } from 'nimbus-functions';

export const report = timer(
  {
    cron: '*/15 * * * *', // 5 fields, or 6 with seconds first; @hourly, @daily… work too
    timezone: 'UTC', // any IANA name, e.g. 'Europe/Berlin'
    catchUp: 'once', // after downtime: 'skip', 'once' or 'all' missed times
    overlap: 'skip', // a time that comes while a run is still going: 'skip', 'queue' or 'allow'
    maxAttempts: 3,
  },
  async (tick, ctx) => {
    if (tick.isPastDue) ctx.log.warn(`running late; ${tick.missed} earlier time(s) folded into this one`);
    let objects = 0;
    let bytes = 0;
    for await (const object of everyObject(ctx.blobs, 'uploads')) {
      objects += 1;
      bytes += object.size;
    }
    const report = { scheduledAt: tick.scheduledAt, objects, bytes };
    await ctx.blobs.put('reports', `uploads-${tick.scheduledAt}.json`, JSON.stringify(report), { contentType: 'application/json' });
    ctx.log.info(`uploads: ${objects} objects, ${bytes} bytes`);
  },
);

/** Every object of a bucket, page by page; none when nothing was ever written to it (a bucket is made by its first write). */
async function* everyObject(blobs: FunctionBlobs, bucket: string): AsyncGenerator<{ key: string; size: number }> {
  let cursor: string | undefined;
  do {
    let page: Awaited<ReturnType<FunctionBlobs['list']>>;
    try {
      page = await blobs.list(bucket, { cursor, limit: 1000 });
    } catch (error) {
      if ((error as { code?: string }).code === 'NIMBUS_ERR_BLOB_BUCKET_NOT_FOUND') return;
      throw error;
    }
    yield* page.objects;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}
