import { copyTable } from './copy-table.js';
import { plural, type StoreArea } from './area.js';

interface Row {
  id: string; app: string; function_name: string; state: string; attempts: number; status: number | null;
  headers: string | null; body_base64: string | null; error: string | null; created_at: number; updated_at: number;
  started_at: number | null; finished_at: number | null; expires_at: number;
}

const COLUMNS = [
  'id', 'app', 'function_name', 'state', 'attempts', 'status', 'headers', 'body_base64', 'error',
  'created_at', 'updated_at', 'started_at', 'finished_at', 'expires_at',
] as const;

/** Async invocation results still within their retention. */
export const asyncResultsArea: StoreArea = {
  name: 'async results',
  async copy({ source, now }, target) {
    const results = await copyTable<Row>(source, target, {
      select: `SELECT ${COLUMNS.join(', ')} FROM async_invocations WHERE expires_at > ${Math.floor(now)}`,
      table: 'async_invocations',
      columns: COLUMNS,
      values: (r) => COLUMNS.map((c) => r[c]),
    });
    return plural(results, 'result');
  },
};
