import type { Clock } from '../../shared/clock.js';
import { BatchWriter } from '../batch-writer.js';
import { attribute, type OtlpAttribute, type OtlpSpan, type OtlpTraceRequest } from './otlp-json.js';

export const DEFAULT_EXPORT_INTERVAL_MS = 5_000;
export const DEFAULT_EXPORT_BATCH_SIZE = 512;
export const DEFAULT_MAX_QUEUED_SPANS = 2_048;
export const EXPORT_TIMEOUT_MS = 10_000;
const SCOPE = { name: 'nimbus.metering', version: '0.1.0' };

export interface OtlpExporterOptions {
  /** The collector's base URL; spans go to `<endpoint>/v1/traces` (or a full traces URL, see tracesUrl). */
  endpoint?: string;
  /** A full traces URL, used as is (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT). */
  tracesUrl?: string;
  headers?: Record<string, string>;
  serviceName: string;
  resourceAttributes?: Record<string, string>;
  clock: Clock;
  exportIntervalMs?: number;
  exportBatchSize?: number;
  maxQueuedSpans?: number;
  onError?: (error: unknown, context: string) => void;
}

/**
 * Sends spans to an OpenTelemetry collector with OTLP/HTTP JSON, in batches.
 * A collector that is down costs dropped spans, never memory or invocations.
 */
export class OtlpTraceExporter {
  readonly url: string;
  readonly #headers: Record<string, string>;
  readonly #resource: OtlpAttribute[];
  readonly #writer: BatchWriter<OtlpSpan>;

  constructor(options: OtlpExporterOptions) {
    const url = options.tracesUrl ?? (options.endpoint ? `${options.endpoint.replace(/\/+$/, '')}/v1/traces` : undefined);
    if (!url || !/^https?:\/\//.test(url)) throw new RangeError(`endpoint must be an http(s) URL, got "${url ?? ''}"`);
    this.url = url;
    this.#headers = { ...options.headers, 'content-type': 'application/json' };
    this.#resource = [
      attribute('service.name', options.serviceName),
      ...Object.entries(options.resourceAttributes ?? {}).map(([key, value]) => attribute(key, value)),
    ];
    this.#writer = new BatchWriter({
      clock: options.clock,
      write: (spans) => this.#send(spans),
      flushIntervalMs: options.exportIntervalMs ?? DEFAULT_EXPORT_INTERVAL_MS,
      flushBatchSize: options.exportBatchSize ?? DEFAULT_EXPORT_BATCH_SIZE,
      maxBuffered: options.maxQueuedSpans ?? DEFAULT_MAX_QUEUED_SPANS,
      onError: (error, dropped) => options.onError?.(error, `exporting ${dropped} spans to ${this.url}`),
    });
  }

  get dropped(): number {
    return this.#writer.dropped;
  }

  export(span: OtlpSpan): void {
    this.#writer.push(span);
  }

  flush(): Promise<void> {
    return this.#writer.flush();
  }

  close(): Promise<void> {
    return this.#writer.close();
  }

  async #send(spans: OtlpSpan[]): Promise<void> {
    const request: OtlpTraceRequest = {
      resourceSpans: [{ resource: { attributes: this.#resource }, scopeSpans: [{ scope: SCOPE, spans }] }],
    };
    const response = await fetch(this.url, {
      method: 'POST',
      headers: this.#headers,
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(EXPORT_TIMEOUT_MS),
    });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`collector answered ${response.status}`);
  }
}

/** `OTEL_EXPORTER_OTLP_HEADERS`: `key=value,key2=value2`, values URL-encoded. */
export function parseOtlpHeaders(text: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of (text ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    headers[decodeURIComponent(pair.slice(0, at).trim())] = decodeURIComponent(pair.slice(at + 1).trim());
  }
  return headers;
}
