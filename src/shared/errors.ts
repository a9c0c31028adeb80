/**
 * Errors a person or an agent can cause and fix themselves: a bad parameter,
 * an unknown id, a finished task. Their message is written for the reader and
 * goes out as-is; anything else is a bug and is reported as one.
 */
export class UserError extends Error {
  constructor(
    message: string,
    /** The parameter at fault, when there is one. */
    readonly field?: string,
  ) {
    super(message);
  }
}

export class NotFoundError extends UserError {}
