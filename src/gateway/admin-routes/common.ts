import { z } from 'zod';

/** Epoch milliseconds. */
export const epochMs = z.number();
/** An object whose main fields are checked and whose further fields pass (answers may grow). */
export const record = z.record(z.string(), z.unknown());
