import { endpointPath } from '../../api/client.js';
import { routes, type ResponseOf } from '../../api/endpoints.js';

export type ListedObject = ResponseOf<typeof routes.blobs.list>['objects'][number];
export type BucketInfo = ResponseOf<typeof routes.blobs.buckets>['buckets'][number];

/** Folders are what a listing with `delimiter=/` rolls keys into. */
export const DELIMITER = '/';

/** The hash parts after the bucket (`#/blobs/photos/2024/may`) as a key prefix: `2024/may/`. */
export function prefixOf(folders: string[]): string {
  return folders.length === 0 ? '' : `${folders.join(DELIMITER)}${DELIMITER}`;
}

/** `2024/may/` → `['2024', 'may']`, for a link into the folder. */
export function foldersOf(prefix: string): string[] {
  return prefix.split(DELIMITER).filter((s) => s !== '');
}

/** What a key or a common prefix is called inside the folder being shown. */
export function nameIn(prefix: string, key: string): string {
  return key.startsWith(prefix) ? key.slice(prefix.length) : key;
}

/** The object's URL in the blob API (each key segment encoded). */
export function objectUrl(bucket: string, key: string): string {
  return endpointPath(routes.blobs.get.path, { bucket, key });
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
