import { jsonEqual } from '../shared/json-equal.js';
import type { FunctionManifest } from '../store/store.js';

/** Distinct settings remembered: an app's functions mostly share a few, so a handful catches nearly all. */
const REMEMBERED = 8;

/**
 * A node holds the manifest of every live function, and functions deployed
 * together mostly have equal settings: those are made one object (nothing
 * changes a manifest's settings once read), so thousands of functions cost
 * the memory, and the garbage collector the copying, of a few.
 */
export class SharedFunctionSettings {
  readonly #recent: FunctionManifest['settings'][] = [];

  /** Points each function's settings at an equal object met before, when there is one. */
  share(functions: FunctionManifest[]): void {
    for (const fn of functions) {
      const index = this.#recent.findIndex((settings) => jsonEqual(settings, fn.settings));
      if (index === 0) {
        fn.settings = this.#recent[0]!;
        continue;
      }
      if (index > 0) {
        fn.settings = this.#recent[index]!;
        this.#recent.splice(index, 1);
      }
      // The newest first: runs of equal settings cost one comparison each.
      this.#recent.unshift(fn.settings);
      if (this.#recent.length > REMEMBERED) this.#recent.pop();
    }
  }
}
