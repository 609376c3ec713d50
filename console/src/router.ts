import { useEffect, useState } from 'preact/hooks';

/** The console's areas, in the order the navigation shows them. */
export const AREAS = [
  { id: 'overview', label: 'Overview' },
  { id: 'functions', label: 'Functions' },
  { id: 'queues', label: 'Queues' },
  { id: 'timers', label: 'Timers' },
  { id: 'blobs', label: 'Blobs' },
  { id: 'budgets', label: 'Budgets' },
  { id: 'usage', label: 'Usage' },
  { id: 'keys', label: 'Keys & secrets' },
] as const;

export type AreaId = (typeof AREAS)[number]['id'];

/** Where the hash points: `#/functions/shop/checkout` → area `functions`, parts `['shop', 'checkout']`. */
export interface Location {
  area: AreaId;
  parts: string[];
}

export function parseHash(hash: string): Location {
  const segments = hash.replace(/^#\/?/, '').split('/').filter((s) => s !== '').map(safeDecode);
  const [first, ...parts] = segments;
  const area = AREAS.find((a) => a.id === first)?.id ?? 'overview';
  return { area, parts: area === first ? parts : [] };
}

/** A link into the console: every part is encoded, so any name is safe in it. */
export function href(area: AreaId, ...parts: string[]): string {
  return `#/${[area, ...parts].map(encodeURIComponent).join('/')}`;
}

export function useLocation(): Location {
  const [location, setLocation] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const changed = (): void => setLocation(parseHash(window.location.hash));
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return location;
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** What every page gets: the hash's parts after its area (`#/blobs/photos/2024` → `['photos', '2024']`). */
export interface PageProps {
  parts: string[];
}
