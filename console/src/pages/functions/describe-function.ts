import type { ResponseOf } from '../../api/endpoints.js';
import { routes } from '../../api/endpoints.js';
import { formatDuration } from '../../format.js';

export type AppSummary = ResponseOf<typeof routes.apps.get>['app'];
export type FunctionSummary = AppSummary['functions'][number];

/** Where a function's work comes from: its route, queue, schedule or bucket. */
export function sourceOf(f: FunctionSummary): string {
  const t = f.trigger;
  switch (f.kind) {
    case 'http':
      return f.route ?? '';
    case 'queue':
      return `queue ${String(t['queue'] ?? '')}`;
    case 'timer':
      return `${String(t['cron'] ?? '')} (${String(t['timezone'] ?? 'UTC')})`;
    case 'blob': {
      const prefix = t['prefix'] ? ` ${String(t['prefix'])}*` : '';
      return `bucket ${String(t['bucket'] ?? '')}${prefix}`;
    }
  }
}

/** The settings people tune, as label and value; env shows its names only. */
export function settingsOf(f: FunctionSummary): [string, string][] {
  const s = f.settings;
  const rows: [string, string][] = [];
  const num = (key: string): number | undefined => (typeof s[key] === 'number' ? (s[key] as number) : undefined);
  if (num('memoryMb') !== undefined) rows.push(['Memory', `${num('memoryMb')} MB`]);
  if (num('timeoutMs') !== undefined) rows.push(['Timeout', formatDuration(num('timeoutMs'))]);
  if (num('concurrency') !== undefined) rows.push(['Concurrency', String(num('concurrency'))]);
  if (num('minInstances') !== undefined || num('maxInstances') !== undefined) rows.push(['Instances', `${num('minInstances') ?? 0}–${num('maxInstances') ?? '?'}`]);
  if (num('idleTimeoutMs') !== undefined) rows.push(['Idle timeout', formatDuration(num('idleTimeoutMs'))]);
  if (num('queueLimit') !== undefined) rows.push(['Waiting at most', String(num('queueLimit'))]);
  const env = s['env'];
  if (env && typeof env === 'object') {
    const names = Object.keys(env);
    if (names.length > 0) rows.push(['Env', names.join(', ')]);
  }
  if (s['network'] !== undefined) rows.push(['Network', typeof s['network'] === 'string' ? s['network'] : JSON.stringify(s['network'])]);
  return rows;
}

/** One line for the list: memory, timeout, instance range. */
export function settingsLine(f: FunctionSummary): string {
  const keep = new Set(['Memory', 'Timeout', 'Instances', 'Concurrency']);
  return settingsOf(f).filter(([label]) => keep.has(label)).map(([label, value]) => `${label.toLowerCase()} ${value}`).join(' · ');
}
