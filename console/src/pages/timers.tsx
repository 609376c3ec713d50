import './panels.css';
import { useState } from 'preact/hooks';
import { routes } from '../api/endpoints.js';
import { ErrorBanner } from '../components/error-banner.js';
import { usePaged } from '../hooks/use-paged.js';
import { href, type PageProps } from '../router.js';
import { useSession } from '../session.js';
import { RunHistory } from './timers/run-history.js';
import { timerId, type TimerStatus } from './timers/timer-figures.js';
import { TimerList } from './timers/timer-list.js';

const TIMERS_PER_PAGE = 50;
const REFRESH_MS = 2_000;

/** `#/timers` lists them; `#/timers/<app>/<fn>` also shows that one's runs. */
export function TimersPage({ parts }: PageProps) {
  const { api } = useSession();
  const [app, fn] = parts;
  const selected = app && fn ? `${app}/${fn}` : undefined;
  const [said, setSaid] = useState('');
  const [failure, setFailure] = useState<Error | null>(null);
  const [version, setVersion] = useState(0);
  const { page, error, pager, refresh } = usePaged<TimerStatus>(async (cursor, signal) => {
    const answer = (await api.call(routes.timers.list, { query: { limit: TIMERS_PER_PAGE, cursor }, signal }));
    return { items: answer.timers, nextCursor: answer.nextCursor ?? null };
  }, REFRESH_MS, [api]);

  /** `nimbus timers run`: the run is claimed at once and shows in the history as running. */
  const runNow = async (t: TimerStatus): Promise<void> => {
    setFailure(null);
    try {
      await api.call(routes.timers.runNow, { params: { app: t.app, fn: t.functionName } });
      setSaid(`Started a run of ${timerId(t)}.`);
      if (selected !== timerId(t)) window.location.hash = href('timers', t.app, t.functionName);
      refresh();
      setVersion((v) => v + 1);
    } catch (err) {
      setFailure(err instanceof Error ? err : new Error(String(err)));
    }
  };

  return (
    <section class="page timers">
      <h1>Timers</h1>
      <p class="status" role="status">{said}</p>
      <ErrorBanner error={failure} onDismiss={() => setFailure(null)} />
      <TimerList timers={page?.items} error={error} pager={pager} selected={selected} onRunNow={(t) => void runNow(t)} />
      {app && fn ? <RunHistory key={selected} app={app} fn={fn} status={page?.items.find((t) => timerId(t) === selected)} version={version} /> : null}
    </section>
  );
}
