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

/** Compiles an agent's regex, or says which parameter is wrong and why. */
export function compileRegex(source: string, field: string): RegExp {
  try {
    return new RegExp(source);
  } catch (err) {
    throw new UserError(`${field}: invalid regular expression ${JSON.stringify(source)}: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`, field);
  }
}
