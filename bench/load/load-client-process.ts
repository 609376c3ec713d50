/**
 * Entry of the load-client child process. Load runs here, not in the bench
 * process, so the client never competes with the server for one event loop.
 * It answers one IPC message at a time (see messages.ts).
 */
import { Agent, request } from 'node:http';
import { createRequire } from 'node:module';
import type { ClientReply, ClientRequest, LoadRequest, LoadResult, ProbeRequest, ProbeResult } from './messages.js';

/** The part of autocannon's programmatic API used here (it ships no types). */
interface AutocannonResult {
  duration: number;
  latency: { p50: number; p99: number };
  requests: { total?: number; sent?: number; average: number };
  non2xx: number;
  errors: number;
  statusCodeStats?: Record<string, { count: number }>;
}
type Autocannon = (options: { url: string; connections: number; duration: number; pipelining: number }) => Promise<AutocannonResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
// Probes reuse one kept-alive connection, so a sample is the server's time, not a TCP handshake;
// a fresh-connection probe opens its own (the handshake is counted) and closes it after the answer.
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

async function runLoad(message: LoadRequest): Promise<LoadResult> {
  const result = await autocannon({ url: message.url, connections: message.connections, duration: message.durationSec, pipelining: 1 });
  const completed = result.requests.total ?? Math.round(result.requests.average * result.duration);
  return {
    kind: 'load', id: message.id, completed,
    requestsPerSec: completed / result.duration,
    latencyP50Ms: result.latency.p50, latencyP99Ms: result.latency.p99,
    non2xx: result.non2xx, errors: result.errors,
  };
}

function probe(message: ProbeRequest): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const req = request(message.url, message.freshConnection ? { agent: false, headers: { connection: 'close' } } : { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ kind: 'probe', id: message.id, status: res.statusCode ?? 0, ms: Number(process.hrtime.bigint() - start) / 1e6 }));
      res.on('error', reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`probe of ${message.url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

process.on('message', (message: ClientRequest) => {
  const work: Promise<ClientReply> = message.kind === 'load' ? runLoad(message) : probe(message);
  work
    .catch((err: unknown): ClientReply => ({ kind: 'failure', id: message.id, message: err instanceof Error ? err.message : String(err) }))
    .then((reply) => process.send?.(reply));
});
// The parent going away ends the client.
process.on('disconnect', () => process.exit(0));
