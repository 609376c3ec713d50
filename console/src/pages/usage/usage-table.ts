import type { ResponseOf } from '../../api/endpoints.js';
import { routes } from '../../api/endpoints.js';

export type UsageAnswer = ResponseOf<typeof routes.metering.usage>;
export type UsageRow = UsageAnswer['rows'][number];
export type Grouping = UsageAnswer['by'];

/** Cost is often a millionth of a dollar: shown to three significant digits rather than a fixed number of decimals. */
export function formatCost(n: number): string {
  return n.toLocaleString(undefined, { maximumSignificantDigits: 3, maximumFractionDigits: 12 });
}
const whole = (n: number): string => n.toLocaleString(undefined, { maximumFractionDigits: 0 });

/** The table's columns, in order: what the page shows and what the CSV holds (the CSV unformatted). */
export const COLUMNS = [
  { field: 'invocations', label: 'Invocations', format: whole },
  { field: 'errors', label: 'Errors', format: whole },
  { field: 'coldStarts', label: 'Cold starts', format: whole },
  { field: 'billedMs', label: 'Billed ms', format: whole },
  { field: 'cpuMs', label: 'CPU ms', format: whole },
  { field: 'gbSeconds', label: 'GB-seconds', format: (n: number) => n.toLocaleString(undefined, { maximumSignificantDigits: 4, maximumFractionDigits: 12 }) },
  { field: 'cost', label: 'Cost ($)', format: formatCost },
] as const;

export const KEY_LABEL: Record<Grouping, string> = { function: 'Function', hour: 'Hour (UTC)', day: 'Day (UTC)' };

/** Hour and day keys (`2026-01-31T13:00Z`, `2026-01-31`) as epoch ms; rows by function have none. */
export function timeOfKey(key: string): number {
  return Date.parse(key);
}

/** Rows in the order people read them: functions by name, hours and days oldest first. */
export function sortedRows(answer: UsageAnswer): UsageRow[] {
  return [...answer.rows].sort((a, b) => (answer.by === 'function' ? a.key.localeCompare(b.key) : timeOfKey(a.key) - timeOfKey(b.key)));
}

/**
 * The table as CSV (RFC 4180: quoted where needed, CRLF lines), its totals
 * last. A text cell that a spreadsheet would take for a formula gets a
 * leading apostrophe.
 */
export function usageCsv(answer: UsageAnswer): string {
  const header = [KEY_LABEL[answer.by], ...COLUMNS.map((c) => c.label)];
  const lines = [header, ...sortedRows(answer).map((r) => [r.key, ...COLUMNS.map((c) => String(r[c.field]))]), ['total', ...COLUMNS.map((c) => String(answer.totals[c.field]))]];
  return `${lines.map((cells) => cells.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) && Number.isNaN(Number(value)) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The price table as the node reported it: `perGbSecond` → "Per GB second". */
export function priceLabel(name: string): string {
  const words = name.replace(/([A-Z])/g, ' $1').toLowerCase().replace(/\bgb\b/g, 'GB');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
