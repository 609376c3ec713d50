/**
 * A Worker as it runs on Cloudflare: fetch, queue and scheduled handlers,
 * an R2 bucket, a queue producer and vars. Nothing here knows about Nimbus.
 * (The binding types are declared here so the example needs no packages;
 * in a real project they come from @cloudflare/workers-types.)
 */
import { json, notFound } from './responses';

interface R2ObjectLike {
  key: string;
  size: number;
  etag: string;
  httpEtag: string;
  uploaded: Date;
  customMetadata?: Record<string, string>;
  writeHttpMetadata(headers: Headers): void;
}
interface R2ObjectBodyLike extends R2ObjectLike {
  body: ReadableStream;
  text(): Promise<string>;
}
interface R2BucketLike {
  get(key: string): Promise<R2ObjectBodyLike | null>;
  head(key: string): Promise<R2ObjectLike | null>;
  put(key: string, value: ReadableStream | string | null, options?: { httpMetadata?: { contentType?: string }; customMetadata?: Record<string, string> }): Promise<R2ObjectLike>;
  delete(keys: string | string[]): Promise<void>;
  list(options?: { prefix?: string; cursor?: string; limit?: number; delimiter?: string }): Promise<{ objects: R2ObjectLike[]; truncated: boolean; cursor?: string; delimitedPrefixes: string[] }>;
}
interface QueueLike<T> {
  send(body: T, options?: { delaySeconds?: number }): Promise<void>;
  sendBatch(messages: { body: T }[]): Promise<void>;
}
interface Job {
  task: 'record' | 'flaky' | 'poison';
  id: string;
}
interface Env {
  GREETING: string;
  UPLOAD_LIMITS: { maxBytes: number; types: string[] };
  API_TOKEN?: string;
  JOBS: QueueLike<Job>;
  UPLOADS: R2BucketLike;
}
interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException(): void;
}
interface MessageLike<T> {
  id: string;
  timestamp: Date;
  body: T;
  attempts: number;
  ack(): void;
  retry(options?: { delaySeconds?: number }): void;
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContextLike): Promise<Response> {
    ctx.passThroughOnException();
    const url = new URL(request.url);
    const path = url.pathname.replace(/^\/api/, '');

    if (request.method === 'GET' && path === '/hello') {
      return json({ greeting: env.GREETING, limits: env.UPLOAD_LIMITS, hasToken: typeof env.API_TOKEN === 'string', url: request.url });
    }

    const file = /^\/files\/(.+)$/.exec(path);
    if (file && request.method === 'PUT') {
      const contentType = request.headers.get('content-type') ?? 'application/octet-stream';
      if (!env.UPLOAD_LIMITS.types.includes(contentType)) return json({ error: `type ${contentType} not accepted` }, 415);
      const written = await env.UPLOADS.put(file[1]!, request.body, {
        httpMetadata: { contentType },
        customMetadata: { uploadedBy: request.headers.get('x-user') ?? 'anonymous' },
      });
      return json({ key: written.key, size: written.size, etag: written.etag }, 201);
    }
    if (file && request.method === 'GET') {
      const object = await env.UPLOADS.get(file[1]!);
      if (!object) return notFound(file[1]!);
      const headers = new Headers();
      object.writeHttpMetadata(headers);
      headers.set('etag', object.httpEtag);
      headers.set('x-uploaded-by', object.customMetadata?.uploadedBy ?? '');
      return new Response(object.body, { headers });
    }
    if (file && request.method === 'DELETE') {
      await env.UPLOADS.delete(file[1]!);
      return new Response(null, { status: 204 });
    }
    if (request.method === 'GET' && path === '/files') {
      const listing = await env.UPLOADS.list({ prefix: url.searchParams.get('prefix') ?? undefined, delimiter: url.searchParams.get('delimiter') ?? undefined });
      return json({ keys: listing.objects.map((o) => o.key), truncated: listing.truncated, prefixes: listing.delimitedPrefixes });
    }

    if (request.method === 'POST' && path === '/jobs') {
      const jobs = (await request.json()) as Job[];
      if (jobs.length === 1) await env.JOBS.send(jobs[0]!);
      else await env.JOBS.sendBatch(jobs.map((body) => ({ body })));
      return json({ queued: jobs.length }, 202);
    }

    // A report built after the answer went out (ctx.waitUntil): it is accepted at once, and finished
    // once someone approves it (POST /api/reports/<id>/approve), as long as the invocation's time lasts.
    const report = /^\/reports\/([\w-]+)(\/approve)?$/.exec(path);
    if (report && request.method === 'POST' && report[2]) {
      await env.UPLOADS.put(`approvals/${report[1]}`, 'approved');
      return json({ approved: report[1] });
    }
    if (report && request.method === 'POST') {
      const id = report[1]!;
      ctx.waitUntil((async () => {
        while (!(await env.UPLOADS.head(`approvals/${id}`))) await new Promise((resolve) => setTimeout(resolve, 50));
        await env.UPLOADS.put(`reports/${id}.txt`, `report ${id}, finished after its response`);
      })());
      return json({ accepted: id }, 202);
    }

    return notFound(path);
  },

  async queue(batch: { queue: string; messages: readonly MessageLike<Job>[] }, env: Env): Promise<void> {
    for (const message of batch.messages) {
      const { task, id } = message.body;
      if (task === 'poison') {
        message.retry();
        continue;
      }
      if (task === 'flaky' && message.attempts < 2) {
        message.retry({ delaySeconds: 1 });
        continue;
      }
      await env.UPLOADS.put(`jobs/${id}.json`, JSON.stringify({ id, task, attempts: message.attempts, queue: batch.queue, sentAt: message.timestamp.toISOString() }), {
        httpMetadata: { contentType: 'application/json' },
      });
      message.ack();
    }
  },

  async scheduled(controller: { cron: string; scheduledTime: number }, env: Env, ctx: ExecutionContextLike): Promise<void> {
    const listing = await env.UPLOADS.list({ prefix: 'jobs/' });
    ctx.waitUntil(env.UPLOADS.put('reports/weekly.json', JSON.stringify({
      cron: controller.cron,
      scheduledTime: new Date(controller.scheduledTime).toISOString(),
      jobs: listing.objects.length,
    })));
  },
};
