import { advanceSequence, copyTable, identitySequence, lastSqliteId } from './copy-table.js';
import { plural, type StoreArea } from './area.js';
import { DURATION_BUCKET_COLUMNS, type DurationBucketCounts } from '../../metering/minute-rollups.js';

interface BatchRow {
  seq: number; record_count: number; oldest_started_at: number; newest_started_at: number; functions: string; records: Uint8Array | string;
}
interface MinuteRow extends DurationBucketCounts {
  app: string; function_name: string; minute: number; invocations: number; errors: number; timeouts: number;
  out_of_memory: number; throttled: number; crashed: number; cold_starts: number; billed_ms: number;
  gb_seconds: number; cpu_ms: number; duration_sum_ms: number; duration_max_ms: number;
}
interface LineRow {
  seq: number; app: string; function_name: string; version: number; invocation_id: string | null; instance_id: string;
  stream: string; level: string; time: number; message: string; bytes: number;
}
interface TotalsRow { app: string; function_name: string; lines: number; bytes: number }

const BATCH_COLUMNS = ['seq', 'record_count', 'oldest_started_at', 'newest_started_at', 'functions', 'records'] as const;
const MINUTE_COLUMNS = [
  'app', 'function_name', 'minute', 'invocations', 'errors', 'timeouts', 'out_of_memory', 'throttled', 'crashed',
  'cold_starts', 'billed_ms', 'gb_seconds', 'cpu_ms', 'duration_sum_ms', 'duration_max_ms', ...DURATION_BUCKET_COLUMNS,
] as const satisfies readonly (keyof MinuteRow)[];
const LINE_COLUMNS = ['seq', 'app', 'function_name', 'version', 'invocation_id', 'instance_id', 'stream', 'level', 'time', 'message', 'bytes'] as const;

/** Raw invocation records (the encoded batches, as they are) and the per-minute roll-ups usage is summed from. */
export const meteringArea: StoreArea = {
  name: 'metering',
  async copy({ source }, target) {
    let records = 0;
    const batches = await copyTable<BatchRow>(source, target, {
      select: `SELECT ${BATCH_COLUMNS.join(', ')} FROM metering_record_batches`,
      table: 'metering_record_batches',
      columns: BATCH_COLUMNS,
      overridingSystemValue: true,
      values: (r) => {
        records += r.record_count;
        return [r.seq, r.record_count, r.oldest_started_at, r.newest_started_at, r.functions, typeof r.records === 'string' ? Buffer.from(r.records) : r.records];
      },
    });
    await advanceSequence(target, await identitySequence(target, 'metering_record_batches', 'seq'), lastSqliteId(source, 'metering_record_batches', 'seq'));
    const minutes = await copyTable<MinuteRow>(source, target, {
      select: `SELECT ${MINUTE_COLUMNS.join(', ')} FROM metering_minutes`,
      table: 'metering_minutes',
      columns: MINUTE_COLUMNS,
      values: (r) => MINUTE_COLUMNS.map((c) => r[c]),
    });
    return `${plural(records, 'invocation record')} in ${plural(batches, 'batch', 'batches')}, ${plural(minutes, 'minute roll-up')}`;
  },
};

/** Function log lines with their numbers (a `logs --follow` cursor stays valid) and the per-function totals trimming keeps. */
export const logsArea: StoreArea = {
  name: 'logs',
  async copy({ source }, target) {
    const lines = await copyTable<LineRow>(source, target, {
      select: `SELECT ${LINE_COLUMNS.join(', ')} FROM logs_lines`,
      table: 'logs_lines',
      columns: LINE_COLUMNS,
      values: (r) => LINE_COLUMNS.map((c) => r[c]),
    });
    await advanceSequence(target, 'logs_lines_seq', lastSqliteId(source, 'logs_lines', 'seq'));
    await copyTable<TotalsRow>(source, target, {
      select: 'SELECT app, function_name, lines, bytes FROM logs_function_totals',
      table: 'logs_function_totals',
      columns: ['app', 'function_name', 'lines', 'bytes'],
      values: (r) => [r.app, r.function_name, r.lines, r.bytes],
    });
    return plural(lines, 'line');
  },
};
