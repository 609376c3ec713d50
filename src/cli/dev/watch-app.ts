import { isAbsolute, relative, sep } from 'node:path';
import { watchTree } from './watch-tree.js';

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
  /** Told when part of the folder cannot be watched (a watch limit reached), so that is not silent. */
  onWarning?: (message: string) => void;
}

/**
 * Calls `onChange` once per burst of changes in an app folder: editors write a
 * file in several steps (truncate, write, rename), and one save should be one
 * redeploy. Every way of saving is seen, in folders made later too (see
 * watch-tree.ts). node_modules, .nimbus and dotfiles are ignored, and folders
 * among them are not watched at all.
 */
export function watchApp(dir: string, onChange: () => void, options: WatchOptions = {}): AppWatcher {
  const debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  const ignoredPrefixes = (options.ignore ?? []).map((p) => relative(dir, p)).filter((p) => p !== '' && !p.startsWith('..') && !isAbsolute(p));
  let timer: NodeJS.Timeout | undefined;

  const watcher = watchTree(dir, {
    ignored: (path) => isIgnored(path, ignoredPrefixes),
    onEvent: () => {
      clearTimeout(timer);
      timer = setTimeout(onChange, debounceMs);
    },
    onWarning: options.onWarning,
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
