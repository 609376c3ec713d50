import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInvocationTracer } from '../../../src/metering/tracing/invocation-tracer.js';
import type { OtlpSpan, OtlpTraceRequest } from '../../../src/metering/tracing/otlp-json.js';
import { InvocationLifecycle } from '../../../src/runtime/lifecycle.js';
import { FakeClock } from '../fake-clock.js';
import { finished } from '../events.js';

interface CapturedExport {
  url: string;
  headers: IncomingHttpHeaders;
  body: OtlpTraceRequest;
}

/** Stands in for an OpenTelemetry collector: records every OTLP/HTTP POST. */
async function withCollector(body: (endpoint: string, received: CapturedExport[]) => Promise<void>): Promise<void> {
  const received: CapturedExport[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: req.headers, body: JSON.parse(text) as OtlpTraceRequest });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await body(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, received);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

function attributes(span: OtlpSpan): Record<string, unknown> {
  return Object.fromEntries(span.attributes.map((a) => [a.key, Object.values(a.value)[0]]));
}

test('without an OTLP endpoint there is no tracer', () => {
  assert.equal(createInvocationTracer({}, new FakeClock()), null);
  assert.equal(createInvocationTracer({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }, new FakeClock()), null);
});

test('a finished invocation reaches the collector as a span in the caller’s trace, with a cold-start child', async () => {
  await withCollector(async (endpoint, received) => {
    const clock = new FakeClock();
    const tracer = createInvocationTracer(
      { OTEL_EXPORTER_OTLP_ENDPOINT: `${endpoint}/`, OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=s%3Dcret', OTEL_SERVICE_NAME: 'edge' },
      clock,
    );
    assert.ok(tracer);
    const lifecycle = new InvocationLifecycle();
    tracer.attach(lifecycle);
    const admittedAt = Date.UTC(2026, 0, 15, 12, 0, 0);
    lifecycle.emit(
      'finished',
      finished({
        id: 'inv-42',
        app: 'shop',
        functionName: 'checkout',
        version: 7,
        memoryMb: 256,
        admittedAt,
        startedAt: admittedAt + 30,
        coldStartMs: 25,
        durationMs: 12.5,
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      }),
    );
    lifecycle.emit('finished', finished({ app: 'shop', functionName: 'cart', outcome: 'error', error: 'boom' }));
    await tracer.exporter.flush();

    assert.equal(received.length, 1, 'both invocations went in one batch');
    const [post] = received;
    assert.equal(post!.url, '/v1/traces');
    assert.equal(post!.headers['content-type'], 'application/json');
    assert.equal(post!.headers['x-api-key'], 's=cret');
    const resource = post!.body.resourceSpans[0]!;
    assert.deepEqual(resource.resource.attributes, [{ key: 'service.name', value: { stringValue: 'edge' } }]);
    const spans = resource.scopeSpans[0]!.spans;
    assert.equal(spans.length, 3);

    const [invoke, coldStart, other] = spans as [OtlpSpan, OtlpSpan, OtlpSpan];
    assert.equal(invoke.name, 'invoke shop/checkout');
    assert.equal(invoke.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.equal(invoke.parentSpanId, '00f067aa0ba902b7');
    assert.match(invoke.spanId, /^[0-9a-f]{16}$/);
    assert.equal(invoke.kind, 2, 'an HTTP invocation is a server span');
    assert.equal(invoke.startTimeUnixNano, `${admittedAt}000000`);
    assert.equal(invoke.endTimeUnixNano, `${admittedAt + 42}500000`);
    assert.deepEqual(invoke.status, { code: 0 });
    const attrs = attributes(invoke);
    assert.equal(attrs['faas.name'], 'checkout');
    assert.equal(attrs['faas.version'], '7');
    assert.equal(attrs['faas.invocation_id'], 'inv-42');
    assert.equal(attrs['faas.trigger'], 'http');
    assert.equal(attrs['faas.coldstart'], true);
    assert.equal(attrs['faas.max_memory'], String(256 * 1024 * 1024));

    assert.equal(coldStart.name, 'cold start');
    assert.equal(coldStart.traceId, invoke.traceId);
    assert.equal(coldStart.parentSpanId, invoke.spanId);
    assert.equal(coldStart.startTimeUnixNano, `${admittedAt + 5}000000`);
    assert.equal(coldStart.endTimeUnixNano, `${admittedAt + 30}000000`);

    assert.equal(other.name, 'invoke shop/cart');
    assert.notEqual(other.traceId, invoke.traceId, 'no traceparent starts a new trace');
    assert.equal(other.parentSpanId, undefined);
    assert.deepEqual(other.status, { code: 2, message: 'boom' });
    assert.equal(attributes(other)['faas.coldstart'], false);
    await tracer.close();
  });
});

test('spans are sent on the export interval, and not at all when the caller did not sample', async () => {
  await withCollector(async (endpoint, received) => {
    const clock = new FakeClock();
    const tracer = createInvocationTracer({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${endpoint}/custom/traces` }, clock)!;
    const lifecycle = new InvocationLifecycle();
    tracer.attach(lifecycle);
    lifecycle.emit('finished', finished({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00' }));
    await tracer.exporter.flush();
    assert.equal(received.length, 0);
    lifecycle.emit('finished', finished({ trigger: 'queue' }));
    clock.advance(5_000);
    while (received.length === 0) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(received[0]!.url, '/custom/traces');
    assert.equal(received[0]!.body.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.kind, 5, 'a queue invocation is a consumer span');
    await tracer.close();
  });
});

test('a collector that is down costs the batch, reported, and nothing else', async () => {
  const errors: string[] = [];
  const tracer = createInvocationTracer({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' }, new FakeClock(), (_e, context) =>
    errors.push(context),
  )!;
  const lifecycle = new InvocationLifecycle();
  tracer.attach(lifecycle);
  lifecycle.emit('finished', finished());
  await tracer.exporter.flush();
  assert.deepEqual(errors, ['exporting 1 spans to http://127.0.0.1:9/v1/traces']);
  assert.equal(tracer.exporter.dropped, 1);
  await tracer.close();
});
