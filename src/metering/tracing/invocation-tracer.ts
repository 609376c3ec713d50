import type { InvocationEnd, InvocationLifecycle } from '../../runtime/lifecycle.js';
import type { TriggerTag } from '../../runtime/invocation.js';
import type { Clock } from '../../shared/clock.js';
import { OtlpTraceExporter, parseOtlpHeaders } from './otlp-exporter.js';
import { attribute, SPAN_KIND, STATUS_CODE, unixNano, type OtlpSpan } from './otlp-json.js';
import { newSpanId, newTraceId, parseTraceparent } from './traceparent.js';

/** OpenTelemetry's `faas.trigger` values for each Nimbus trigger. */
const FAAS_TRIGGER: Record<TriggerTag, string> = {
  http: 'http',
  async: 'pubsub',
  queue: 'pubsub',
  blob: 'datasource',
  timer: 'timer',
  manual: 'other',
};
const SPAN_KIND_BY_TRIGGER: Record<TriggerTag, number> = {
  http: SPAN_KIND.server,
  async: SPAN_KIND.consumer,
  queue: SPAN_KIND.consumer,
  blob: SPAN_KIND.consumer,
  timer: SPAN_KIND.internal,
  manual: SPAN_KIND.server,
};

/**
 * One span per finished invocation, `invoke <app>/<fn>`, from admission to
 * the end of the handler, with the cold start as a child span. It joins the
 * caller's trace when the invocation carried a `traceparent`, and is not
 * sent when the caller chose not to sample.
 */
export class InvocationTracer {
  readonly exporter: OtlpTraceExporter;

  constructor(exporter: OtlpTraceExporter) {
    this.exporter = exporter;
  }

  attach(lifecycle: InvocationLifecycle): () => void {
    return lifecycle.on('finished', (end) => {
      for (const span of invocationSpans(end)) this.exporter.export(span);
    });
  }

  close(): Promise<void> {
    return this.exporter.close();
  }
}

export function invocationSpans(end: InvocationEnd): OtlpSpan[] {
  const parent = parseTraceparent(end.traceparent);
  if (parent && !parent.sampled) return [];
  const traceId = parent?.traceId ?? newTraceId();
  const spanId = newSpanId();
  const endedAt = end.startedAt + end.durationMs;
  const failed = end.outcome !== 'ok';
  const invocation: OtlpSpan = {
    traceId,
    spanId,
    ...(parent ? { parentSpanId: parent.parentSpanId } : {}),
    name: `invoke ${end.app}/${end.functionName}`,
    kind: SPAN_KIND_BY_TRIGGER[end.trigger],
    startTimeUnixNano: unixNano(end.admittedAt),
    endTimeUnixNano: unixNano(Math.max(endedAt, end.admittedAt)),
    attributes: [
      attribute('faas.name', end.functionName),
      attribute('faas.version', String(end.version)),
      attribute('faas.invocation_id', end.id),
      attribute('faas.trigger', FAAS_TRIGGER[end.trigger]),
      attribute('faas.coldstart', end.coldStartMs !== null),
      attribute('faas.max_memory', end.memoryMb * 1024 * 1024),
      attribute('nimbus.app', end.app),
      attribute('nimbus.trigger', end.trigger),
      attribute('nimbus.outcome', end.outcome),
      attribute('nimbus.cpu_ms', end.cpuMicros / 1000),
      ...(end.instanceId ? [attribute('faas.instance', end.instanceId)] : []),
    ],
    status: failed ? { code: STATUS_CODE.error, message: end.error ?? end.outcome } : { code: STATUS_CODE.unset },
  };
  if (end.coldStartMs === null) return [invocation];
  const coldStart: OtlpSpan = {
    traceId,
    spanId: newSpanId(),
    parentSpanId: spanId,
    name: 'cold start',
    kind: SPAN_KIND.internal,
    startTimeUnixNano: unixNano(end.startedAt - end.coldStartMs),
    endTimeUnixNano: unixNano(end.startedAt),
    attributes: [attribute('faas.name', end.functionName), attribute('nimbus.app', end.app)],
    status: { code: STATUS_CODE.unset },
  };
  return [invocation, coldStart];
}

export interface TracerEnvironment {
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;
  OTEL_EXPORTER_OTLP_HEADERS?: string;
  OTEL_SERVICE_NAME?: string;
}

/**
 * The tracer the environment asks for, or null when no OTLP endpoint is set
 * (tracing then costs nothing). Reads the standard OTEL_* variables.
 */
export function createInvocationTracer(
  env: TracerEnvironment,
  clock: Clock,
  onError?: (error: unknown, context: string) => void,
): InvocationTracer | null {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const tracesUrl = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (!endpoint && !tracesUrl) return null;
  const exporter = new OtlpTraceExporter({
    ...(tracesUrl ? { tracesUrl } : { endpoint: endpoint as string }),
    headers: parseOtlpHeaders(env.OTEL_EXPORTER_OTLP_HEADERS),
    serviceName: env.OTEL_SERVICE_NAME?.trim() || 'nimbus',
    clock,
    ...(onError ? { onError } : {}),
  });
  return new InvocationTracer(exporter);
}
