/** A real terminal for tests: a private tmux server, send-keys and capture-pane. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import os from 'node:os';
import fs from 'node:fs';
import { waitFor } from './wait.js';

export class Tmux {
  private readonly socket: string;
  constructor(readonly name = `bgbash-${process.pid}-${Math.random().toString(36).slice(2, 8)}`) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bgbash-tmux-'));
    this.socket = path.join(dir, 'sock');
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-S', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }

  start(command: string, opts: { cols?: number; rows?: number; env?: Record<string, string> } = {}): void {
    const env = Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${shellQuote(v)}`).join(' ');
    this.tmux('new-session', '-d', '-s', this.name, '-x', String(opts.cols ?? 100), '-y', String(opts.rows ?? 30), `env ${env} ${command}; sleep 30`);
  }

  keys(...keys: string[]): void {
    this.tmux('send-keys', '-t', this.name, ...keys);
  }

  resize(cols: number, rows: number): void {
    this.tmux('resize-window', '-t', this.name, '-x', String(cols), '-y', String(rows));
  }

  screen(): string {
    return this.tmux('capture-pane', '-p', '-t', this.name);
  }

  async waitScreen(check: (screen: string) => boolean, what: string, ms = 10_000): Promise<string> {
    return waitFor(() => {
      const s = this.screen();
      return check(s) ? s : null;
    }, `${what}; screen was:\n${this.screen()}`, ms, 50);
  }

  kill(): void {
    try {
      this.tmux('kill-server');
    } catch {
      /* already gone */
    }
  }
}

export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
