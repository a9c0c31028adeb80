/** A connection to one server's control socket: requests with answers, and a stream of events. */
import net from 'node:net';
import type { Event, Requests, Response, Verb } from './protocol.js';

export class ControlError extends Error {
  constructor(
    message: string,
    readonly code: 'usage' | 'not_found' | 'internal' | 'connection',
  ) {
    super(message);
  }
}

export class ControlClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private buffer = '';
  private eventHandlers: Array<(e: Event) => void> = [];
  private closedHandlers: Array<() => void> = [];
  /** Why the server ended the connection, when it said (a subscriber that fell behind). */
  closeReason: string | null = null;

  private constructor(private readonly sock: net.Socket) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => this.onData(d));
    const fail = (): void => {
      const why = this.closeReason ? `: ${this.closeReason}` : '';
      for (const p of this.pending.values()) p.reject(new ControlError(`the bgbash server closed the connection${why}`, 'connection'));
      this.pending.clear();
      for (const fn of this.closedHandlers) fn();
    };
    sock.on('close', fail);
    sock.on('error', () => undefined);
  }

  static connect(path: string, timeoutMs = 2000): Promise<ControlClient> {
    return new Promise((resolve, reject) => {
      const sock = net.connect(path);
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new ControlError(`no answer from the bgbash server at ${path}`, 'connection'));
      }, timeoutMs);
      sock.once('connect', () => {
        clearTimeout(timer);
        resolve(new ControlClient(sock));
      });
      sock.once('error', (err) => {
        clearTimeout(timer);
        reject(new ControlError(`cannot reach the bgbash server at ${path}: ${err.message}`, 'connection'));
      });
    });
  }

  private onData(data: string): void {
    this.buffer += data;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      let msg: Response | Event;
      try {
        msg = JSON.parse(line);
      } catch {
        continue;
      }
      if ('event' in msg) {
        if (msg.event === 'dropped') this.closeReason = msg.reason;
        for (const fn of this.eventHandlers) fn(msg);
        continue;
      }
      const p = this.pending.get(msg.id);
      if (!p) continue;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new ControlError(msg.error, msg.code));
    }
  }

  request<V extends Verb>(verb: V, args: Requests[V]['args']): Promise<Requests[V]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.sock.write(JSON.stringify({ id, verb, args }) + '\n');
    });
  }

  onEvent(fn: (e: Event) => void): void {
    this.eventHandlers.push(fn);
  }

  onClose(fn: () => void): void {
    this.closedHandlers.push(fn);
  }

  close(): void {
    this.sock.end();
    this.sock.destroy();
  }
}
