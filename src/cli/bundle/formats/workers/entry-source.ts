import type { WorkerPlan } from './worker-plan.js';

/**
 * The generated entry: imports the Worker's module unchanged and registers
 * one Nimbus definition per planned function, each wrapping the same default
 * export through nimbus-functions/adapters/workers. A fetch function planned
 * as optional (no routes) exists only when the module has a fetch handler.
 */
export function workerEntrySource(plan: WorkerPlan): string {
  const bindings = {
    vars: plan.vars,
    queues: plan.producers,
    buckets: plan.buckets,
  };
  const lines = [
    "import { http, queue, timer } from 'nimbus-functions';",
    "import { fetchHandler, queueHandler, scheduledHandler, workerOf } from 'nimbus-functions/adapters/workers';",
    `import * as workerModule from ${JSON.stringify(`./${plan.main.replace(/\\/g, '/').replace(/^\.\//, '')}`)};`,
    '',
    `const main = ${JSON.stringify(plan.main)};`,
    'const worker = workerOf(workerModule as Record<string, unknown>, main);',
    `const bindings = ${JSON.stringify(bindings)};`,
    '',
    'export const __nimbusFunctions = {',
  ];
  for (const fn of plan.functions) {
    const name = JSON.stringify(fn.name);
    if (fn.kind === 'fetch') {
      const settings = JSON.stringify({ ...fn.settings, auth: 'anonymous', origin: 'workers' });
      const definition = `http(${settings}, fetchHandler(worker, main, bindings${fn.functionPath ? ', { functionPath: true }' : ''}))`;
      lines.push(fn.optional ? `  ...(typeof worker.fetch === 'function' ? { ${name}: ${definition} } : {}),` : `  ${name}: ${definition},`);
    } else if (fn.kind === 'queue') {
      lines.push(`  ${name}: queue(${JSON.stringify({ ...fn.settings, origin: 'workers' })}, queueHandler(worker, main, bindings)),`);
    } else {
      lines.push(`  ${name}: timer(${JSON.stringify({ ...fn.settings, timezone: 'UTC', origin: 'workers' })}, scheduledHandler(worker, main, bindings, ${JSON.stringify(fn.cron)})),`);
    }
  }
  lines.push('};', '');
  return lines.join('\n');
}
