import { useEffect, useRef, useState } from 'preact/hooks';
import { endpointPath } from '../../api/client.js';
import { routes, type ResponseOf } from '../../api/endpoints.js';
import { followEventStream } from '../../api/event-stream.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { formatClock } from '../../format.js';
import { useSession } from '../../session.js';

type LogLine = ResponseOf<typeof routes.metering.logs>['lines'][number];
type StreamState = 'connecting' | 'live' | 'reconnecting' | 'stopped';

/** Lines kept on screen; older ones scroll away. */
const KEPT_LINES = 500;
const RECENT_LINES = 100;

/** The function's log, following live over the logs SSE stream (read with fetch: it needs the key). */
export function LogsPanel({ app, fn }: { app: string; fn: string }) {
  const { api } = useSession();
  const [lines, setLines] = useState<LogLine[]>([]);
  const [state, setState] = useState<StreamState>('connecting');
  const [error, setError] = useState<Error | null>(null);
  const box = useRef<HTMLOListElement>(null);

  useEffect(() => {
    const aborter = new AbortController();
    let lastSeq = 0;
    setLines([]);
    setState('connecting');
    void followEventStream(api, endpointPath(routes.metering.logs.path, { app }, { fn, follow: 1, limit: RECENT_LINES }), {
      signal: aborter.signal,
      onOpen: () => {
        setState('live');
        setError(null);
      },
      onEvent: (event) => {
        if (event.event === 'error') {
          setError(new Error((JSON.parse(event.data) as { message: string }).message));
          return;
        }
        const line = JSON.parse(event.data) as LogLine;
        // A reconnect replays recent lines: those already shown are skipped.
        if (line.seq <= lastSeq) return;
        lastSeq = line.seq;
        setLines((shown) => [...shown.slice(-(KEPT_LINES - 1)), line]);
      },
      onError: (err) => {
        setError(err);
        setState(err.status >= 400 && err.status < 500 ? 'stopped' : 'reconnecting');
      },
    });
    return () => aborter.abort();
  }, [api, app, fn]);

  // Stay at the newest line unless the reader scrolled up.
  useEffect(() => {
    const list = box.current;
    if (list && list.scrollHeight - list.scrollTop - list.clientHeight < 80) list.scrollTop = list.scrollHeight;
  }, [lines]);

  return (
    <section aria-labelledby="logs-heading">
      <h2 id="logs-heading">Logs <span class="live" data-stream={state}>{state === 'live' ? '● following live' : state}</span></h2>
      <ErrorBanner error={error} />
      {lines.length === 0 ? <p class="empty">No log lines yet.</p> : (
        <ol ref={box} class="logs" tabIndex={0} aria-label={`Log of ${app}/${fn}`}>
          {lines.map((line) => (
            <li key={line.seq} class={`level-${line.level}`} data-seq={line.seq}>
              <time dateTime={new Date(line.time).toISOString()}>{formatClock(line.time)}</time>
              <span class="log-message">{line.message}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
