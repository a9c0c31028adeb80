/**
 * Tests each line of a byte stream against a regex, on cleaned text (no ANSI,
 * progress bars collapsed), without keeping more than the current line.
 */
import type { Pattern } from './pattern.js';
import { StringDecoder } from 'node:string_decoder';
import { cleanText } from '../run/clean.js';

const MAX_PARTIAL = 64 * 1024;

export class LineWatcher {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  constructor(
    private readonly pattern: Pattern,
    private readonly onMatch: (line: string) => void,
  ) {}

  /** Feeds bytes; returns true if a line matched (onMatch was called for each). */
  feed(chunk: Buffer): boolean {
    const text = this.partial + this.decoder.write(chunk);
    const lines = text.split('\n');
    this.partial = lines.pop()!.slice(-MAX_PARTIAL);
    let matched = false;
    for (const line of lines) matched = this.test(line) || matched;
    // A prompt or a "ready" banner may not end with a newline yet.
    if (this.partial && this.testPartial()) matched = true;
    return matched;
  }

  private lastPartialMatch = '';

  private testPartial(): boolean {
    const clean = cleanText(this.partial);
    if (clean === this.lastPartialMatch || !this.pattern.test(clean)) return false;
    this.lastPartialMatch = clean;
    this.onMatch(clean);
    return true;
  }

  private test(raw: string): boolean {
    const clean = cleanText(raw);
    if (this.lastPartialMatch) {
      // The line was already reported while it was still being written.
      const seen = this.lastPartialMatch;
      this.lastPartialMatch = '';
      if (clean.startsWith(seen) && this.pattern.test(seen)) return false;
    }
    if (!this.pattern.test(clean)) return false;
    this.onMatch(clean);
    return true;
  }
}
