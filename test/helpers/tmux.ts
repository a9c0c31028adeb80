/** A real terminal for tests: a private tmux server, send-keys and capture-pane. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import os from 'node:os';
import fs from 'node:fs';
import { CLI } from './server.js';
import { trackDir, trackTmux } from './leftovers.js';
import { waitFor } from './wait.js';

/** Terminals this test file opened and has not killed; test/helpers/cleanup.ts kills them after it. */
export const openTerminals = new Set<Tmux>();

export class Tmux {
  private readonly dir: string;
  private readonly socket: string;
  constructor(readonly name = `bgbash-${process.pid}-${Math.random().toString(36).slice(2, 8)}`) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bgbash-tmux-'));
    this.socket = path.join(this.dir, 'sock');
    trackTmux(this.socket);
    trackDir(this.dir);
    openTerminals.add(this);
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-S', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }

  start(command: string, opts: { cols?: number; rows?: number; env?: Record<string, string> } = {}): void {
    const env = Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${shellQuote(v)}`).join(' ');
    this.tmux('new-session', '-d', '-s', this.name, '-x', String(opts.cols ?? 100), '-y', String(opts.rows ?? 30), `env ${env} ${command}; sleep 30`);
  }

  /**
   * An interactive bash with the prompt "$ " and `bgbash` on its PATH, as a
   * person's shell: for checking what a command leaves on the screen.
   */
  shell(opts: { cols?: number; rows?: number; env?: Record<string, string> } = {}): void {
    const bin = path.join(this.dir, 'bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(CLI, path.join(bin, 'bgbash'));
    const env = { PS1: '$ ', PATH: `${bin}:${path.dirname(process.execPath)}:${process.env.PATH}`, HOME: this.dir, TERM: 'xterm-256color', ...opts.env };
    this.start('bash --norc --noprofile -i', { ...opts, env });
  }

  keys(...keys: string[]): void {
    this.tmux('send-keys', '-t', this.name, ...keys);
  }

  /** Types a line into the shell and presses Enter. */
  type(line: string): void {
    this.tmux('send-keys', '-t', this.name, '-l', line);
    this.keys('Enter');
  }

  resize(cols: number, rows: number): void {
    this.tmux('resize-window', '-t', this.name, '-x', String(cols), '-y', String(rows));
  }

  screen(): string {
    return this.tmux('capture-pane', '-p', '-t', this.name);
  }

  /** The screen and the scrollback above it, wrapped lines joined (so a rewrapped fragment shows as one line). */
  history(): string {
    return this.tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', this.name);
  }

  /** Everything the pane shows and ever scrolled off its top, wrapped lines joined: a terminal's lines, for ground truth. */
  everything(): string {
    return this.tmux('capture-pane', '-p', '-J', '-S', '-', '-t', this.name);
  }

  /** The pane's title (what an OSC 0/2 sequence would set). */
  title(): string {
    return this.tmux('display-message', '-p', '-t', this.name, '#{pane_title}').trim();
  }

  /** What tmux holds as pasted or clipboard-set text (OSC 52 lands here), or '' when nothing. */
  buffers(): string {
    return this.tmux('list-buffers', '-F', '#{buffer_sample}');
  }

  async waitScreen(check: (screen: string) => boolean, what: string, ms = 10_000): Promise<string> {
    return waitFor(() => {
      const s = this.screen();
      return check(s) ? s : null;
    }, `${what}; screen was:\n${this.screen()}`, ms, 20);
  }

  kill(): void {
    try {
      this.tmux('kill-server');
    } catch {
      /* already gone */
    }
    openTerminals.delete(this);
    // tmux may still be removing its socket as it exits.
    try {
      fs.rmSync(this.dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 }); // linear back-off: 0.3 s at most, synchronous
    } catch {
      // Something exiting inside it still writes there; the run's global teardown removes it (trackDir).
    }
  }
}

export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
