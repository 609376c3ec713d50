import { watch } from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';

export const DEFAULT_DEBOUNCE_MS = 30;
/** Folders a save never happens in, but that tools write to all the time. */
const IGNORED_SEGMENTS = new Set(['node_modules', '.nimbus']);

export interface AppWatcher {
  close(): void;
}

export interface WatchOptions {
  debounceMs?: number;
  /** Absolute paths under the app folder to ignore as well (a data folder not named .nimbus). */
  ignore?: readonly string[];
}

/**
 * Calls `onChange` once per burst of changes in an app folder: editors write a
 * file in several steps (truncate, write, rename), and one save should be one
 * redeploy. node_modules, .nimbus and dotfiles are ignored.
 */
export function watchApp(dir: string, onChange: () => void, options: WatchOptions = {}): AppWatcher {
  const debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  const ignoredPrefixes = (options.ignore ?? []).map((p) => relative(dir, p)).filter((p) => p !== '' && !p.startsWith('..') && !isAbsolute(p));
  let timer: NodeJS.Timeout | undefined;

  const watcher = watch(dir, { recursive: true }, (_event, filename) => {
    if (filename !== null && isIgnored(filename.toString(), ignoredPrefixes)) return;
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  });
  return {
    close() {
      clearTimeout(timer);
      watcher.close();
    },
  };
}

export function isIgnored(relativePath: string, ignoredPrefixes: readonly string[] = []): boolean {
  const segments = relativePath.split(sep);
  if (segments.some((s) => IGNORED_SEGMENTS.has(s) || s.startsWith('.'))) return true;
  return ignoredPrefixes.some((p) => relativePath === p || relativePath.startsWith(p + sep));
}
