/**
 * A private tmux server (`tmux -L <unique name>`) started with `env -i`, so the
 * agent in it sees only the environment a scenario gives it. Keys go in with
 * send-keys; the screen comes back with capture-pane.
 */
import { execFileSync } from 'node:child_process';
import { waitFor } from '../../helpers/wait.js';

export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export class PrivateTmux {
  readonly name = `bgbash-agents-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  private tmux(...args: string[]): string {
    return execFileSync('env', ['-i', `PATH=${process.env.PATH ?? '/usr/bin:/bin'}`, 'tmux', '-L', this.name, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }

  /** Runs `command` (a shell line) in a new session; the pane stays after it exits so its last screen can be read. */
  start(command: string, opts: { cols?: number; rows?: number } = {}): void {
    this.tmux('new-session', '-d', '-s', 'main', '-x', String(opts.cols ?? 120), '-y', String(opts.rows ?? 40), command);
    this.tmux('set-option', '-t', 'main', 'remain-on-exit', 'on');
  }

  keys(...keys: string[]): void {
    this.tmux('send-keys', '-t', 'main', ...keys);
  }

  screen(): string {
    return this.tmux('capture-pane', '-p', '-t', 'main');
  }

  async waitScreen(check: (screen: string) => boolean, what: string, ms = 30_000): Promise<string> {
    let last = '';
    try {
      return await waitFor(() => {
        last = this.screen();
        return check(last) ? last : null;
      }, what, ms, 100);
    } catch (err) {
      throw new Error(`${(err as Error).message}\nscreen was:\n${last}`);
    }
  }

  kill(): void {
    try {
      this.tmux('kill-server');
    } catch {
      /* already gone */
    }
  }
}
