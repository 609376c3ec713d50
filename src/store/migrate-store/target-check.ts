import type { PgQueryable } from '../postgres/pg-database.js';

/** Every table that holds Nimbus data (not schema bookkeeping), by area. */
const DATA_TABLES = [
  'apps', 'app_versions', 'app_version_counters', 'auth_api_keys', 'auth_secrets', 'async_invocations',
  'blob_buckets', 'blob_objects', 'blob_sequences', 'blob_events', 'blob_event_cursors',
  'metering_record_batches', 'metering_minutes', 'logs_lines', 'logs_function_totals',
  'queue_names', 'queue_messages', 'queue_dedup', 'timer_registry', 'timer_runs', 'budgets',
] as const;

/**
 * What the target already holds, by table name (empty: nothing). Running
 * nodes count too: a node on the database would race the copy. A node that
 * started and stopped without data leaves only its membership row, which is fine.
 */
export async function nimbusDataIn(target: PgQueryable): Promise<string[]> {
  const checks = DATA_TABLES.map((table) => `SELECT '${table}' AS name WHERE EXISTS (SELECT 1 FROM ${table})`);
  checks.push(`SELECT 'running nodes' AS name WHERE EXISTS (SELECT 1 FROM cluster_nodes WHERE state = 'alive')`);
  const rows = await target.query<{ name: string }>(checks.join(' UNION ALL '));
  return rows.map((row) => row.name);
}
