/**
 * What a CLI command declares about itself: its options, how many arguments it
 * takes, help text and examples, and the options every command takes. The
 * parser (args.ts), `--help` and "did you mean" read these; they import
 * nothing, so the parser never reaches back to the commands.
 */
export interface OptionSpec {
  type: 'boolean' | 'string';
  /** One letter, e.g. 'f' for -f. */
  short?: string;
  /** May be given several times (values collected in order). */
  multiple?: boolean;
  /** Placeholder shown in help for a string option, e.g. 'DIR'. */
  value?: string;
  help: string;
}

export type Options = Record<string, OptionSpec>;

export interface CommandSpec {
  /** Arguments as shown in the usage line, e.g. '<id>' or '[--name N] -- <command>'. */
  usage: string;
  /** What it does, a sentence or a short paragraph. */
  description: string;
  options: Options;
  /** Most positional arguments accepted (Infinity for lists); extra ones are usage errors. */
  maxArgs: number;
  examples: string[];
  /** Close the records of servers that died before running (commands that read tasks). Default true. */
  repair?: boolean;
  /**
   * A terminal screen (attach, tasks, strip): once it has given the screen back,
   * the process exits at once instead of waiting for sockets and timers to wind
   * down (output to a TTY is written synchronously, so nothing is lost).
   */
  screen?: boolean;
}

/** Options every command takes. */
export const GLOBAL_OPTIONS: Options = {
  'data-dir': { type: 'string', value: 'DIR', help: 'Where task records and output live (default: $XDG_STATE_HOME/bgbash)' },
  config: { type: 'string', value: 'FILE', help: 'Config file (default: ./bgbash.config.json, then ~/.config/bgbash/config.json)' },
  set: { type: 'string', multiple: true, value: 'KEY=VALUE', help: 'Set a config key, e.g. --set background.maxConcurrentTasks=4' },
  help: { type: 'boolean', short: 'h', help: 'Help for this command' },
  version: { type: 'boolean', short: 'v', help: 'Print the version' },
};

export const JSON_OPTION: Options = { json: { type: 'boolean', help: 'Machine-readable output' } };
export const SERVER_OPTION: Options = { server: { type: 'string', value: 'ID', help: 'Talk to this server only (a prefix of its id)' } };
