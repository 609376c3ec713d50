import type { FormatAdapter } from './app-format.js';

/** Every foreign format this build can deploy, in the order detection tries them. */
export const FORMAT_ADAPTERS: readonly FormatAdapter[] = [];
