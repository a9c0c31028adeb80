/**
 * The data/exit plumbing every runner shares: output that arrives before
 * anyone listens is kept and handed over on subscription, and the exit is
 * latched so a late subscriber still hears it — once. A chunk is valid only
 * during the call that hands it over (runners reuse their read buffers):
 * whoever keeps bytes copies them.
 */
import type { ExitStatus, Stream } from './process.js';

export class ProcessEvents {
  private dataCb: ((chunk: Buffer, stream: Stream) => void) | null = null;
  private exitCb: ((status: ExitStatus) => void) | null = null;
  private readonly early: Array<[Buffer, Stream]> = [];
  exited: ExitStatus | null = null;

  data(chunk: Buffer, stream: Stream = 'stdout'): void {
    if (chunk.length === 0) return;
    if (this.dataCb) this.dataCb(chunk, stream);
    // A copy: runners may reuse their read buffer.
    else this.early.push([Buffer.from(chunk), stream]);
  }

  exit(status: ExitStatus): void {
    if (this.exited) return;
    this.exited = status;
    this.exitCb?.(status);
  }

  onData = (cb: (chunk: Buffer, stream: Stream) => void): void => {
    this.dataCb = cb;
    for (const [chunk, stream] of this.early.splice(0)) cb(chunk, stream);
  };

  onExit = (cb: (status: ExitStatus) => void): void => {
    this.exitCb = cb;
    if (this.exited) cb(this.exited);
  };
}
