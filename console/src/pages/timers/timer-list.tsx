import { ErrorBanner } from '../../components/error-banner.js';
import { Pager } from '../../components/pager.js';
import type { PagerState } from '../../hooks/use-paged.js';
import { href } from '../../router.js';
import { useSession } from '../../session.js';
import { timerId, zonedText, type TimerStatus } from './timer-figures.js';

interface TimerListProps {
  timers: TimerStatus[] | undefined;
  error: Error | null;
  pager: PagerState;
  selected: string | undefined;
  onRunNow: (timer: TimerStatus) => void;
}

/** Every timer with its schedule in its own zone, its next three times and its last run. */
export function TimerList({ timers, error, pager, selected, onRunNow }: TimerListProps) {
  const { canWrite } = useSession();
  return (
    <>
      <ErrorBanner error={error} />
      <table>
        <thead>
          <tr>
            <th scope="col">Timer</th><th scope="col">Schedule</th><th scope="col">Next three times</th><th scope="col">Last run</th>
            <th scope="col" class="num">Running</th>{canWrite ? <th scope="col">Actions</th> : null}
          </tr>
        </thead>
        <tbody>
          {(timers ?? []).map((t) => (
            <tr key={timerId(t)} data-timer={timerId(t)} aria-current={timerId(t) === selected ? 'true' : undefined}>
              <td><a href={href('timers', t.app, t.functionName)}>{timerId(t)}</a> <span class="muted">v{t.version}</span></td>
              <td><code>{t.cron}</code> <span class="muted">in {t.timezone}</span></td>
              <td>
                <ol class="next-times">
                  {t.next.map((n) => <li key={n.utc}><time dateTime={n.utc}>{zonedText(n.zoned)}</time></li>)}
                </ol>
              </td>
              <td>{t.lastRun ? <span class={t.lastRun.outcome === 'ok' ? 'outcome-ok' : t.lastRun.outcome === 'running' ? '' : 'outcome-failed'}>{t.lastRun.outcome}</span> : <span class="muted">never</span>}</td>
              <td class="num">{t.running}{t.queued > 0 ? ` (+${t.queued} queued)` : ''}</td>
              {canWrite ? <td><button type="button" class="secondary" onClick={() => onRunNow(t)}>Run {timerId(t)} now</button></td> : null}
            </tr>
          ))}
        </tbody>
      </table>
      {timers && timers.length === 0 ? <p class="empty">No timers: deploy a <code>timer()</code> function.</p> : null}
      <Pager pager={pager} label="Timers" />
    </>
  );
}
