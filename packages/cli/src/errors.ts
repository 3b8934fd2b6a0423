import { EdgelineError, CODES } from '@edgeline/core';

/** Exit codes scripts rely on: 0 built, 1 rejected, 2 usage error or broken entry. */
export const EXIT = { ok: 0, rejected: 1, usage: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Wrong flags or arguments: exit 2 with the usage line. */
export class UsageError extends EdgelineError {
  constructor(message: string) {
    super(CODES.usage, message);
  }
}

/** The entry could not be loaded, or its default export is not a pipeline: exit 2. */
export class EntryError extends EdgelineError {
  constructor(message: string) {
    super(CODES.entry, message);
  }
}
