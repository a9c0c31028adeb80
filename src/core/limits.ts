/**
 * The bounds on what a client can make the server hold, in one place: each is
 * refused past its limit with a message naming it, so no input grows memory
 * without end or stops the server (issue 26). The README's threat model cites
 * these numbers.
 */

const MiB = 1024 * 1024;

/**
 * One JSON-RPC message (one line on stdio or a daemon socket). Larger lines
 * are read past, not kept, and answered with an error naming this limit.
 * Room for the largest argument a tool takes (task_input text: 1 MiB of
 * characters, up to 6 bytes each once JSON escapes control characters).
 */
export const MAX_MESSAGE_BYTES = 8 * MiB;

/** Answers and notifications written but not yet read by the client: past this, reading its requests pauses. */
export const OUTPUT_PAUSE_BYTES = 8 * MiB;
/** Past this, answers are replaced by a short error and notifications dropped until the client reads. */
export const MAX_UNREAD_OUTPUT_BYTES = 64 * MiB;

/**
 * A shell command: it runs as one argument of `bash -c`, and Linux refuses
 * a single argument over 128 KiB (MAX_ARG_STRLEN, counting its final NUL)
 * with E2BIG when the process starts. 4 KiB of that are left for what a
 * backend puts in the same argument (the cgroup join before the command).
 */
export const MAX_COMMAND_BYTES = 124 * 1024;

/** Text one task_input call may type (characters). */
export const MAX_INPUT_TEXT = 1 * MiB;
/** Input sent to a task that it has not read yet: more is refused until it reads. */
export const MAX_PENDING_INPUT_BYTES = 4 * MiB;

/** Events queued for a control-socket subscriber that does not read them: past this it is dropped, with the reason. */
export const MAX_SUBSCRIBER_BACKLOG_BYTES = 8 * MiB;
