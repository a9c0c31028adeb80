/**
 * What a CLI command declares about itself: its options, how many arguments it
 * takes, help text and examples. The parser, `--help` and "did you mean" all
 * read this, so a command is one file exporting `spec` and `run`, plus a line
 * in registry.ts.
 */
import type { Cli } from './context.js';

export * from './options.js';
import type { CommandSpec } from './options.js';

export interface CommandModule {
  spec: CommandSpec;
  /** Exit code; -1 keeps the process running (serve). */
  run(cli: Cli): Promise<number>;
}
