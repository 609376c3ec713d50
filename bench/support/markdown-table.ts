import type { BenchRow } from '../section.js';

/** Rows as a GitHub Markdown table; columns are the union of row keys, in first-seen order. */
export function markdownTable(rows: readonly BenchRow[]): string {
  if (rows.length === 0) return '_(no rows)_';
  const columns: string[] = [];
  for (const row of rows) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  const cell = (value: BenchRow[string] | undefined): string => (value === undefined ? '' : String(value).replace(/\|/g, '\\|'));
  // Numbers right-aligned so magnitudes line up when read as plain text.
  const numeric = columns.map((c) => rows.every((r) => r[c] === undefined || typeof r[c] === 'number'));
  return [
    `| ${columns.join(' | ')} |`,
    `| ${numeric.map((n) => (n ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((row) => `| ${columns.map((c) => cell(row[c])).join(' | ')} |`),
  ].join('\n');
}
