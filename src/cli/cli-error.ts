/**
 * A failure the CLI reports to its user: `message` is the one line printed as
 * `nimbus: <message>`; `details` are extra lines that only some failures have
 * (one per type error, say), printed under it.
 */
export class CliError extends Error {
  readonly details: readonly string[];

  constructor(message: string, details: readonly string[] = []) {
    super(message);
    this.name = 'CliError';
    this.details = details;
  }
}

/** The command line itself is wrong; the printed line ends with a pointer to help. */
export class UsageError extends CliError {
  constructor(message: string, readonly command?: string) {
    super(`${message} (see "nimbus help${command ? ` ${command}` : ''}")`);
    this.name = 'UsageError';
  }
}
