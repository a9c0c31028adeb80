/**
 * Where `serve --http [HOST:]PORT` may listen. Loopback only unless the person
 * says otherwise with --allow-remote: whoever reaches the port with the token
 * runs commands as the user, so a typo like 0.0.0.0 must not open the machine.
 * Even then an address is needed, not 0.0.0.0 or ::, because every request's
 * Host header must name the address the server was given (DNS rebinding).
 */
import { UsageError } from './args.js';

export interface Listen {
  host: string;
  port: number;
}

export function parseListen(spec: string): Listen {
  const m = /^(?:(\[[^\]]+\]|[^:]+):)?(\d{1,5})$/.exec(spec);
  if (!m || Number(m[2]) > 65535) throw new UsageError(`--http takes [HOST:]PORT, e.g. 8765 or 127.0.0.1:8765; got "${spec}"`, 'serve');
  return { host: (m[1] ?? '127.0.0.1').replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Refuses an address off loopback without --allow-remote, and a wildcard address always. */
export function checkListen(listen: Listen, allowRemote: boolean): void {
  if (isLoopback(listen.host)) return;
  const shown = listen.host.includes(':') ? `[${listen.host}]:${listen.port}` : `${listen.host}:${listen.port}`;
  if (!allowRemote) {
    throw new UsageError(
      `--http ${shown}: bgbash serves HTTP on loopback only (127.0.0.1, ::1, localhost), because anyone who reaches the port with the token runs commands as you. To listen on another address anyway, add --allow-remote.`,
      'serve',
    );
  }
  if (listen.host === '0.0.0.0' || listen.host === '::') {
    throw new UsageError(`--http ${shown}: give the address clients will use (e.g. --http 192.168.1.20:${listen.port} --allow-remote): requests must name it in their Host header, so a wildcard address would refuse every remote client.`, 'serve');
  }
}
