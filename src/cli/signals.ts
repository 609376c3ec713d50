import type { SignalSource } from './command.js';

export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** Resolves with the first stop signal received, and stops listening for the others. */
export function waitForStopSignal(signals: SignalSource): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const listeners = STOP_SIGNALS.map((signal) => {
      const listener = (): void => {
        listeners.forEach(([s, l]) => signals.off(s, l));
        resolve(signal);
      };
      signals.once(signal, listener);
      return [signal, listener] as const;
    });
  });
}
