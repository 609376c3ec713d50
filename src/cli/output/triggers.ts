import type { NextRun } from '../admin-client.js';

/** What a function listing knows of one function's trigger (deploy answers and `ls` alike). */
export interface TriggerShown {
  kind: string;
  route: string | null;
  /** `/fn/<app>/<function>`, which every HTTP function has. */
  url?: string | null;
  /** The route at the node's root; absent from nodes older than the field. */
  routeUrl?: string | null;
  trigger?: Record<string, unknown>;
  next?: NextRun | null;
}

/**
 * The trigger in one cell: an HTTP route, `queue NAME`, `BUCKET/PATH` for
 * blob events, `CRON ZONE` for a timer.
 */
export function describeTrigger(f: TriggerShown): string {
  const t = f.trigger ?? {};
  switch (f.kind) {
    case 'http':
      return f.route ?? text(t['route']) ?? '-';
    case 'queue':
      return `queue ${text(t['queue']) ?? '?'}`;
    case 'blob': {
      const path = text(t['path']);
      return `${text(t['bucket']) ?? '?'}/${path ?? '*'}`;
    }
    case 'timer':
      return [text(t['cron']) ?? '?', text(t['timezone'])].filter(Boolean).join(' ');
    default:
      return '-';
  }
}

/**
 * Where to reach it or when it runs: an HTTP function's route URL (what its author declared and callers use),
 * its /fn/ URL when it has no route, a timer's next time in its own zone.
 */
export function describeReach(f: TriggerShown): string {
  if (f.kind === 'http') return f.routeUrl ?? f.url ?? '-';
  if (f.kind === 'timer') return f.next ? `next ${f.next.zoned.replace('T', ' ')}` : 'never again';
  return '-';
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
