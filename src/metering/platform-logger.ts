import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * The node's own log (not functions' logs): one JSON object per line on
 * stdout, for a log shipper to collect. `silent` in tests.
 */
export function createPlatformLogger(level: string, destination?: DestinationStream): Logger {
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  if (!levels.includes(level)) throw new RangeError(`log level must be one of ${levels.join(', ')}, got "${level}"`);
  const options = { level, base: { service: 'nimbus' }, timestamp: pino.stdTimeFunctions.isoTime };
  return destination ? pino(options, destination) : pino(options);
}
