import { useEffect, useRef, useState } from 'preact/hooks';

export interface Polled<T> {
  data: T | undefined;
  error: Error | null;
  /** Loads again now (after an action), whatever the interval. */
  refresh(): void;
}

/**
 * Loads now and then every `intervalMs` while the tab is visible: a hidden
 * tab asks the node nothing, and catches up as soon as it is shown again.
 * Loads never overlap; a change of `deps` starts over (and aborts the load
 * under way).
 */
export function usePolling<T>(load: (signal: AbortSignal) => Promise<T>, intervalMs: number, deps: readonly unknown[]): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | null>(null);
  const latest = useRef(load);
  latest.current = load;
  const kick = useRef<() => void>(() => {});

  useEffect(() => {
    const aborter = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let running = false;
    let again = false;
    setData(undefined);
    setError(null);
    const run = async (): Promise<void> => {
      clearTimeout(timer);
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        const value = await latest.current(aborter.signal);
        if (aborter.signal.aborted) return;
        setData(() => value);
        setError(null);
      } catch (err) {
        if (aborter.signal.aborted) return;
        setError(err instanceof Error ? err : new Error(String(err)));
      } finally {
        running = false;
      }
      if (again) {
        again = false;
        void run();
      } else schedule();
    };
    const schedule = (): void => {
      clearTimeout(timer);
      if (!document.hidden && !aborter.signal.aborted) timer = setTimeout(() => void run(), intervalMs);
    };
    const visibility = (): void => {
      if (document.hidden) clearTimeout(timer);
      else void run();
    };
    kick.current = () => void run();
    document.addEventListener('visibilitychange', visibility);
    void run();
    return () => {
      aborter.abort();
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', visibility);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [intervalMs, ...deps]);

  return { data, error, refresh: () => kick.current() };
}
