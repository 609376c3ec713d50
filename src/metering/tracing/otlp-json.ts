/**
 * The slice of the OTLP/JSON trace format Nimbus sends
 * (opentelemetry-proto, `ExportTraceServiceRequest`). Ids are hex strings and
 * times decimal strings of nanoseconds, as the JSON mapping requires.
 */
export type OtlpAttributeValue = { stringValue: string } | { intValue: string } | { doubleValue: number } | { boolValue: boolean };

export interface OtlpAttribute {
  key: string;
  value: OtlpAttributeValue;
}

/** SpanKind numbers from the proto. */
export const SPAN_KIND = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;
/** StatusCode numbers from the proto. */
export const STATUS_CODE = { unset: 0, ok: 1, error: 2 } as const;

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpAttribute[];
  status: { code: number; message?: string };
}

export interface OtlpTraceRequest {
  resourceSpans: {
    resource: { attributes: OtlpAttribute[] };
    scopeSpans: { scope: { name: string; version?: string }; spans: OtlpSpan[] }[];
  }[];
}

export function attribute(key: string, value: string | number | boolean): OtlpAttribute {
  if (typeof value === 'string') return { key, value: { stringValue: value } };
  if (typeof value === 'boolean') return { key, value: { boolValue: value } };
  return Number.isInteger(value) ? { key, value: { intValue: String(value) } } : { key, value: { doubleValue: value } };
}

/** Epoch ms (fractional) as nanoseconds, exact past 2^53 by working in BigInt. */
export function unixNano(epochMs: number): string {
  const wholeMs = Math.floor(epochMs);
  const restNs = Math.round((epochMs - wholeMs) * 1e6);
  return (BigInt(wholeMs) * 1_000_000n + BigInt(restNs)).toString();
}
