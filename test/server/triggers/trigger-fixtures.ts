/**
 * What the trigger end-to-end tests share: deploying to any node (in-process or
 * a child process), reading the durable records handlers leave in blob
 * storage, and queue statistics — all through the node's public HTTP API.
 */
import { admin, type AdminTarget } from '../../helpers/admin-client.js';
import { bundleFiles } from '../../helpers/bundle.js';

/** Bundles `files` (an app with `index.ts`) under `dir` and deploys it as the app's next version. */
export async function deployApp(node: AdminTarget, dir: string, app: string, files: Record<string, string>): Promise<void> {
  const { bundle, sourceMap } = await bundleFiles(dir, files);
  const deployed = await admin(node, 'POST', `/apps/${app}/versions`, { bundle, sourceMap });
  if (deployed.status !== 201) throw new Error(`deploy of ${app} answered ${deployed.status}: ${JSON.stringify(deployed.body)}`);
}

function blobUrl(node: AdminTarget, bucket: string, key = ''): string {
  const path = key.split('/').map(encodeURIComponent).join('/');
  return `${node.url}/_nimbus/api/v1/blobs/${bucket}${key ? `/${path}` : ''}`;
}

function auth(node: AdminTarget): Record<string, string> {
  return { authorization: `Bearer ${node.adminKey}` };
}

/** Every key in `bucket` under `prefix`, following cursors; [] when the bucket does not exist yet. */
export async function blobKeys(node: AdminTarget, bucket: string, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ prefix, limit: '1000', ...(cursor ? { cursor } : {}) });
    const res = await fetch(`${blobUrl(node, bucket)}?${query}`, { headers: auth(node) });
    if (res.status === 404) return [];
    if (res.status !== 200) throw new Error(`listing ${bucket} answered ${res.status}: ${await res.text()}`);
    const page = (await res.json()) as { objects: { key: string }[]; nextCursor: string | null };
    keys.push(...page.objects.map((o) => o.key));
    cursor = page.nextCursor;
  } while (cursor);
  return keys;
}

/** An object's content as text, or null when it does not exist. */
export async function blobText(node: AdminTarget, bucket: string, key: string): Promise<string | null> {
  const res = await fetch(blobUrl(node, bucket, key), { headers: auth(node) });
  if (res.status === 404) return null;
  if (res.status !== 200) throw new Error(`GET ${bucket}/${key} answered ${res.status}`);
  return res.text();
}

/** PUTs an object through the blob HTTP API; resolves with the API's answer once it is acknowledged. */
export async function putBlob(node: AdminTarget, bucket: string, key: string, body: string | Uint8Array, contentType = 'application/octet-stream'): Promise<{ status: number; body: any }> {
  const res = await fetch(blobUrl(node, bucket, key), { method: 'PUT', headers: { ...auth(node), 'content-type': contentType }, body });
  return { status: res.status, body: await res.json() };
}

export async function deleteBlob(node: AdminTarget, bucket: string, key: string): Promise<number> {
  const res = await fetch(blobUrl(node, bucket, key), { method: 'DELETE', headers: auth(node) });
  await res.arrayBuffer();
  return res.status;
}

export type { QueueStats } from '../../../src/store/queue-store.js';
import type { QueueStats } from '../../../src/store/queue-store.js';

/** The queue's statistics from `GET /queues`, or undefined if nothing was ever sent to it. */
export async function queueStats(node: AdminTarget, name: string): Promise<QueueStats | undefined> {
  const { body } = await admin(node, 'GET', '/queues');
  return (body.queues as QueueStats[]).find((q) => q.name === name);
}

/** A counter from the node's Prometheus metrics, summed over series whose labels include all of `labels`. */
export async function metric(node: AdminTarget, name: string, labels: Record<string, string>): Promise<number> {
  const res = await fetch(`${node.url}/metrics`, { headers: auth(node) });
  const text = await res.text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
