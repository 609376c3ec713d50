import { CliError } from '../../../cli-error.js';

/**
 * Typed reads of wrangler settings: a value of the wrong type is a CliError
 * naming the file and the setting, as wrangler itself would refuse it.
 */
export class WranglerFields {
  constructor(readonly file: string) {}

  fail(path: string, problem: string): never {
    throw new CliError(`${this.file}: ${path} ${problem}`);
  }

  string(value: unknown, path: string): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.length === 0) this.fail(path, 'must be a non-empty string');
    return value;
  }

  number(value: unknown, path: string, min: number, max: number): number | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) this.fail(path, `must be a number from ${min} to ${max}`);
    return value;
  }

  boolean(value: unknown, path: string): boolean | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') this.fail(path, 'must be true or false');
    return value;
  }

  table(value: unknown, path: string): Record<string, unknown> | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(path, 'must be a table');
    return value as Record<string, unknown>;
  }

  array(value: unknown, path: string): unknown[] | undefined {
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) this.fail(path, 'must be a list');
    return value;
  }

  /** A list of tables, each read by `read` with its own path (`r2_buckets[1]`). */
  tables<T>(value: unknown, path: string, read: (table: Record<string, unknown>, path: string) => T): T[] {
    return (this.array(value, path) ?? []).map((item, i) => read(this.table(item, `${path}[${i}]`)!, `${path}[${i}]`));
  }
}
