import pino, { type Logger } from 'pino';

/** The node's own structured logs (JSON lines on stderr); function output goes elsewhere. */
export function createPlatformLogger(level: string): Logger {
  return pino({ level, base: { service: 'nimbus' } }, pino.destination({ dest: 2, sync: false }));
}

export type { Logger };
