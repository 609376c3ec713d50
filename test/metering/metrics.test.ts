import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleMetricsRequest, NodeMetrics } from '../../src/metering/metrics.js';
import { InvocationLifecycle } from '../../src/runtime/lifecycle.js';
import { finished } from './events.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text exposition format, strictly enough that a malformed line fails the test. */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE ([a-zA-Z_:][\w:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      types.set(type[1]!, type[2]!);
      continue;
    }
    if (/^# HELP [a-zA-Z_:][\w:]* .*$/.test(line)) continue;
    const sample = /^([a-zA-Z_:][\w:]*)(?:\{((?:[a-zA-Z_]\w*="(?:[^"\\]|\\.)*",?)*)\})? (-?[\d.e+-]+|NaN|\+Inf|-Inf)$/i.exec(line);
    assert.ok(sample, `not a valid exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const m of (sample[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)) labels[m[1]!] = m[2]!;
    samples.push({ name: sample[1]!, labels, value: Number(sample[3]) });
  }
  return { samples, types };
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

async function scrape(metrics: NodeMetrics): Promise<{ contentType: string; text: string }> {
  const server = createServer((_req, res) => void handleMetricsRequest(res, metrics));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
    assert.equal(response.status, 200);
    return { contentType: response.headers.get('content-type') ?? '', text: await response.text() };
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

test('/metrics counts exactly the invocations the lifecycle reported', async () => {
  const metrics = new NodeMetrics({ processMetrics: false });
  const lifecycle = new InvocationLifecycle();
  metrics.attach(lifecycle);
  lifecycle.emit('finished', finished({ durationMs: 3, coldStartMs: 40 }));
  lifecycle.emit('finished', finished({ durationMs: 10 }));
  lifecycle.emit('finished', finished({ durationMs: 2_000, outcome: 'timeout' }));
  lifecycle.emit('finished', finished({ functionName: 'cart', trigger: 'queue', durationMs: 1, coldStartMs: 3 }));
  lifecycle.emit('finished', finished({ outcome: 'throttled', durationMs: 0 }));
  lifecycle.emit('finished', finished({ outcome: 'throttled', durationMs: 0 }));

  const { contentType, text } = await scrape(metrics);
  assert.match(contentType, /^text\/plain; version=0\.0\.4/);
  const { samples, types } = parseExposition(text);
  const checkout = { app: 'shop', function: 'checkout' };
  assert.equal(types.get('nimbus_invocations_total'), 'counter');
  assert.equal(value(samples, 'nimbus_invocations_total', { ...checkout, outcome: 'ok', trigger: 'http' }), 2);
  assert.equal(value(samples, 'nimbus_invocations_total', { ...checkout, outcome: 'timeout', trigger: 'http' }), 1);
  assert.equal(value(samples, 'nimbus_invocations_total', { ...checkout, outcome: 'throttled', trigger: 'http' }), 2);
  assert.equal(value(samples, 'nimbus_invocations_total', { app: 'shop', function: 'cart', outcome: 'ok', trigger: 'queue' }), 1);
  assert.equal(value(samples, 'nimbus_throttled_total', checkout), 2);
  assert.equal(value(samples, 'nimbus_cold_starts_total', checkout), 1);
  assert.equal(value(samples, 'nimbus_cold_starts_total', { app: 'shop', function: 'cart' }), 1);

  assert.equal(types.get('nimbus_invocation_duration_seconds'), 'histogram');
  assert.equal(value(samples, 'nimbus_invocation_duration_seconds_count', checkout), 3, 'throttled calls never ran');
  assert.equal(value(samples, 'nimbus_invocation_duration_seconds_sum', checkout), 2.013);
  assert.equal(value(samples, 'nimbus_invocation_duration_seconds_bucket', { ...checkout, le: '0.005' }), 1);
  assert.equal(value(samples, 'nimbus_invocation_duration_seconds_bucket', { ...checkout, le: '0.01' }), 2, 'le is inclusive');
  assert.equal(value(samples, 'nimbus_invocation_duration_seconds_bucket', { ...checkout, le: '+Inf' }), 3);
  assert.equal(value(samples, 'nimbus_cold_start_duration_seconds_sum', checkout), 0.04);
});

test('instance and queue gauges are read from their sources at each scrape', async () => {
  const metrics = new NodeMetrics({ processMetrics: false });
  let busy = 2;
  metrics.setInstanceSource(() => [
    { app: 'shop', functionName: 'checkout', state: 'busy', count: busy },
    { app: 'shop', functionName: 'checkout', state: 'idle', count: 1 },
  ]);
  metrics.setQueueSource(() => [{ queue: 'orders', depth: 12, oldestAgeMs: 2_500 }]);
  let { samples } = parseExposition((await scrape(metrics)).text);
  assert.equal(value(samples, 'nimbus_instances', { app: 'shop', function: 'checkout', state: 'busy' }), 2);
  assert.equal(value(samples, 'nimbus_instances', { state: 'idle' }), 1);
  assert.equal(value(samples, 'nimbus_queue_depth', { queue: 'orders' }), 12);
  assert.equal(value(samples, 'nimbus_queue_oldest_message_age_seconds', { queue: 'orders' }), 2.5);
  busy = 0;
  metrics.setQueueSource(() => {
    throw new Error('queue store unavailable');
  });
  ({ samples } = parseExposition((await scrape(metrics)).text));
  assert.equal(value(samples, 'nimbus_instances', { state: 'busy' }), 0);
  assert.equal(value(samples, 'nimbus_queue_depth', { queue: 'orders' }), undefined, 'a failing source empties its gauge, not the scrape');
});

test('timer and blob-event lag are histograms in seconds', async () => {
  const metrics = new NodeMetrics({ processMetrics: false });
  metrics.observeTimerLag(250);
  metrics.observeTimerLag(20);
  metrics.observeTimerLag(50);
  metrics.observeBlobEventLag(4_000);
  const { samples } = parseExposition((await scrape(metrics)).text);
  assert.equal(value(samples, 'nimbus_timer_lag_seconds_count'), 3);
  assert.equal(value(samples, 'nimbus_timer_lag_seconds_bucket', { le: '0.05' }), 2, 'a bucket includes its upper bound');
  assert.equal(value(samples, 'nimbus_blob_event_lag_seconds_bucket', { le: '2.5' }), 0);
  assert.equal(value(samples, 'nimbus_blob_event_lag_seconds_bucket', { le: '5' }), 1);
});

test('each node has its own registry, so two nodes in one process do not mix', async () => {
  const a = new NodeMetrics({ processMetrics: true, defaultLabels: { node: 'a' } });
  const b = new NodeMetrics({ processMetrics: true, defaultLabels: { node: 'b' } });
  const lifecycle = new InvocationLifecycle();
  a.attach(lifecycle);
  lifecycle.emit('finished', finished());
  const sa = parseExposition((await scrape(a)).text).samples;
  const sb = parseExposition((await scrape(b)).text).samples;
  assert.equal(value(sa, 'nimbus_invocations_total', { node: 'a' }), 1);
  assert.equal(value(sb, 'nimbus_invocations_total'), undefined);
  assert.ok(value(sb, 'process_cpu_user_seconds_total', { node: 'b' }) !== undefined, 'process metrics are included');
});

test('storage health is a gauge and storage errors a counter by area and kind, read from the source at each scrape', async () => {
  const metrics = new NodeMetrics({ processMetrics: false });
  let report = { healthy: true, errors: [] as { area: string; kind: string; count: number }[] };
  metrics.setStorageSource(() => report);
  let { samples, types } = parseExposition((await scrape(metrics)).text);
  assert.equal(types.get('nimbus_store_healthy'), 'gauge');
  assert.equal(types.get('nimbus_storage_errors_total'), 'counter');
  assert.equal(value(samples, 'nimbus_store_healthy'), 1);
  assert.equal(samples.filter((s) => s.name === 'nimbus_storage_errors_total').length, 0);

  report = { healthy: false, errors: [{ area: 'blobs', kind: 'full', count: 3 }, { area: 'state', kind: 'lost', count: 1 }] };
  ({ samples } = parseExposition((await scrape(metrics)).text));
  assert.equal(value(samples, 'nimbus_store_healthy'), 0);
  assert.equal(value(samples, 'nimbus_storage_errors_total', { area: 'blobs', kind: 'full' }), 3);
  assert.equal(value(samples, 'nimbus_storage_errors_total', { area: 'state', kind: 'lost' }), 1);
});
