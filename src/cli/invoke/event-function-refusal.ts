import type { FunctionSummary } from '../admin-client.js';
import { CliError } from '../cli-error.js';

/**
 * `invoke` calls HTTP functions; an event function is run by its own trigger,
 * so the refusal names the command that makes that event.
 */
export function eventFunctionRefusal(app: string, fn: FunctionSummary): CliError | undefined {
  const target = `${app}/${fn.name}`;
  const setting = (name: string): string => (typeof fn.trigger?.[name] === 'string' ? (fn.trigger[name] as string) : name.toUpperCase());
  switch (fn.kind) {
    case 'http':
      return undefined;
    case 'queue':
      return new CliError(`${target} is a queue function, not an HTTP one: send its queue a message with nimbus queue send ${setting('queue')} --data JSON`);
    case 'blob':
      return new CliError(`${target} is a blob function, not an HTTP one: put an object in its bucket with nimbus blob put ${setting('bucket')}/KEY FILE`);
    case 'timer':
      return new CliError(`${target} is a timer function, not an HTTP one: run it now with nimbus timers run ${target}`);
    default:
      return new CliError(`${target} is a ${String(fn.kind)} function, not an HTTP one: nimbus invoke calls HTTP functions`);
  }
}
