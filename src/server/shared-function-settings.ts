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
    // A version read from the store already shares its equal settings: a run of functions holding one object
    // takes the answer found for the first of them, without comparing again.
    let lastGiven: FunctionManifest['settings'] | null = null;
    let lastShared: FunctionManifest['settings'] | null = null;
    for (const fn of functions) {
      if (fn.settings === lastGiven) {
        fn.settings = lastShared!;
        continue;
      }
      lastGiven = fn.settings;
      this.#shareOne(fn);
      lastShared = fn.settings;
    }
  }

  #shareOne(fn: FunctionManifest): void {
    const index = this.#recent.findIndex((settings) => jsonEqual(settings, fn.settings));
    if (index === 0) {
      fn.settings = this.#recent[0]!;
      return;
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
