/**
 * The id (and method) of a message too large to keep, found while its bytes
 * stream past: a small JSON tokenizer that tracks only strings, nesting and
 * the members of the outermost object. The line itself is never held, so a
 * 100 MB request costs nothing but the scan, and its answer still carries its
 * id. The id may come first or last: SDK v1 clients write it after params.
 */
import { validId, type Id } from './jsonrpc-check.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = new Set([0x7b, 0x5b]); // { [
const CLOSE = new Set([0x7d, 0x5d]); // } ]
const COLON = 0x3a;
const COMMA = 0x2c;
/** Longer keys or values are not ones we look for. */
const MAX_CAPTURE = 1024;
const WANTED = new Set(['id', 'method']);

function decodeKey(raw: number[]): string {
  try {
    const key: unknown = JSON.parse(Buffer.from(raw).toString('utf8'));
    return typeof key === 'string' ? key : '';
  } catch {
    return '';
  }
}

export class TopLevelScan {
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** At depth 1, between a key's ':' and the next ',' or '}'. */
  private inValue = false;
  private notObject = false;
  private started = false;
  private capture: 'key' | 'value' | null = null;
  private raw: number[] = [];
  private key = '';
  private readonly found = new Map<string, string>();

  feed(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) this.byte(bytes[i]);
  }

  /** The message's id when it is a valid one at the top level; null when it cannot be told. */
  id(): Id | null {
    const raw = this.found.get('id');
    if (raw === undefined) return null;
    try {
      const id: unknown = JSON.parse(raw);
      return validId(id) ? id : null;
    } catch {
      return null;
    }
  }

  method(): string | null {
    const raw = this.found.get('method');
    if (raw === undefined) return null;
    try {
      const m: unknown = JSON.parse(raw);
      return typeof m === 'string' ? m.slice(0, 100) : null;
    } catch {
      return null;
    }
  }

  private keep(c: number): void {
    if (this.raw.length < MAX_CAPTURE) this.raw.push(c);
    else this.capture = null;
  }

  private byte(c: number): void {
    if (this.notObject) return;
    if (this.inString) {
      if (this.capture) this.keep(c);
      if (this.escaped) this.escaped = false;
      else if (c === BACKSLASH) this.escaped = true;
      else if (c === QUOTE) {
        this.inString = false;
        if (this.capture === 'key') {
          this.key = decodeKey(this.raw);
          this.capture = null;
        }
      }
      return;
    }
    if (!this.started) {
      if (c === 0x20 || c === 0x09 || c === 0x0d) return;
      this.started = true;
      if (c !== 0x7b) this.notObject = true;
    }
    if (c === QUOTE) {
      this.inString = true;
      if (this.depth === 1 && !this.inValue) this.begin('key');
      if (this.capture) this.keep(c);
      return;
    }
    if (OPEN.has(c)) {
      // A value that is an object or array is no id: stop capturing it.
      if (this.depth === 1 && this.capture === 'value') this.capture = null;
      this.depth++;
      return;
    }
    if (CLOSE.has(c)) {
      if (this.depth === 1) this.endValue();
      this.depth--;
      return;
    }
    if (this.depth !== 1) return;
    if (c === COLON && !this.inValue) {
      this.inValue = true;
      if (WANTED.has(this.key) && !this.found.has(this.key)) this.begin('value');
    } else if (c === COMMA) {
      this.endValue();
    } else if (this.capture === 'value') {
      this.keep(c);
    }
  }

  private begin(what: 'key' | 'value'): void {
    this.capture = what;
    this.raw = [];
  }

  private endValue(): void {
    if (this.capture === 'value' && this.inValue) this.found.set(this.key, Buffer.from(this.raw).toString('utf8').trim());
    this.capture = null;
    this.inValue = false;
    this.key = '';
  }
}
