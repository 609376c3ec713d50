import { advanceSequence, copyTable, identitySequence, lastSqliteId } from './copy-table.js';
import { plural, type StoreArea } from './area.js';

interface TimerRow {
  id: string; app: string; function_name: string; version: number; cron: string; timezone: string; settings: string;
  last_scheduled_at: number; next_at: number | null; next_after: number | null; created_at: number; updated_at: number;
}
interface RunRow {
  id: number; timer_id: string; scheduled_at: number; reason: string; node_id: string; claimed_at: number;
  fired_at: number | null; attempts: number; outcome: string; error: string | null; finished_at: number | null;
  next_attempt_at: number | null; is_past_due: number; missed: number;
}

const TIMER_COLUMNS = ['id', 'app', 'function_name', 'version', 'cron', 'timezone', 'settings', 'last_scheduled_at', 'next_at', 'next_after', 'created_at', 'updated_at'] as const;
const RUN_COLUMNS = [
  'id', 'timer_id', 'scheduled_at', 'reason', 'node_id', 'claimed_at', 'fired_at', 'attempts', 'outcome', 'error',
  'finished_at', 'next_attempt_at', 'is_past_due', 'missed',
] as const;
const STOPPED = 'the node was stopped before the run finished';

/**
 * The timer registry with where each timer's schedule got to (the cluster
 * goes on from there, catching up as the node would have), and the run
 * history. A run still marked running was cut short by the stop: it ends
 * `interrupted`, as the node itself would have recorded at its next start.
 */
export const timersArea: StoreArea = {
  name: 'timers',
  async copy({ source, now }, target) {
    const timers = await copyTable<TimerRow>(source, target, {
      select: `SELECT ${TIMER_COLUMNS.join(', ')} FROM timer_registry`,
      table: 'timer_registry',
      columns: TIMER_COLUMNS,
      values: (r) => TIMER_COLUMNS.map((c) => r[c]),
    });
    let interrupted = 0;
    const runs = await copyTable<RunRow>(source, target, {
      select: `SELECT ${RUN_COLUMNS.join(', ')} FROM timer_runs`,
      table: 'timer_runs',
      columns: RUN_COLUMNS,
      overridingSystemValue: true,
      values: (r) => {
        const running = r.outcome === 'running';
        if (running) interrupted++;
        return RUN_COLUMNS.map((c) => {
          if (c === 'is_past_due') return r.is_past_due !== 0;
          if (!running) return r[c];
          if (c === 'outcome') return 'interrupted';
          if (c === 'error') return STOPPED;
          if (c === 'finished_at') return now;
          if (c === 'next_attempt_at') return null;
          return r[c];
        });
      },
    });
    await advanceSequence(target, await identitySequence(target, 'timer_runs', 'id'), lastSqliteId(source, 'timer_runs', 'id'));
    return `${plural(timers, 'timer')}, ${plural(runs, 'run')}${interrupted > 0 ? ` (${interrupted} cut short by the stop, now interrupted)` : ''}`;
  },
};
