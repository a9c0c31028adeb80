/**
 * Which TCP ports processes listen on, read from the kernel (Linux /proc):
 * the socket inodes a process holds (/proc/<pid>/fd links "socket:[inode]")
 * matched against the LISTEN entries of /proc/net/tcp and tcp6. Never a port
 * scan: nothing here connects anywhere. Only the user's own processes' fds are
 * readable, which is also the only thing bgbash may say about ("same user").
 */
import fs from 'node:fs';

/** /proc/net/tcp "st" of a listening socket. */
const LISTEN = '0A';

/** LISTEN entries of one /proc/net/tcp{,6} text: socket inode → local port. */
export function parseListening(text: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const line of text.split('\n')) {
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode …
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || f[3] !== LISTEN) continue;
    const port = parseInt(f[1].slice(f[1].lastIndexOf(':') + 1), 16);
    const inode = Number(f[9]);
    if (port > 0 && port < 65536 && Number.isInteger(inode) && inode > 0) out.set(inode, port);
  }
  return out;
}

/** Every listening TCP socket this process's network namespace sees (IPv4 and IPv6): inode → port. */
export function listeningSockets(): Map<number, number> {
  const all = new Map<number, number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue; // no IPv6, or no /proc
    }
    for (const [inode, port] of parseListening(text)) all.set(inode, port);
  }
  return all;
}

/** Inodes of the sockets a process holds open; empty when it is gone or not ours. */
export function socketInodes(pid: number): number[] {
  let fds: string[];
  try {
    fds = fs.readdirSync(`/proc/${pid}/fd`);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const fd of fds) {
    let link: string;
    try {
      link = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed meanwhile
    }
    if (link.startsWith('socket:[')) out.push(Number(link.slice(8, -1)));
  }
  return out;
}

/** The TCP ports any of `pids` listens on, ascending. */
export function listeningPorts(pids: number[]): number[] {
  return portsOf(pids.flatMap(socketInodes)).ports;
}

function portsOf(inodes: number[]): { ports: number[]; allListening: boolean } {
  // Most processes hold no socket at all: the tcp tables are read only when one does.
  if (inodes.length === 0) return { ports: [], allListening: true };
  const listening = listeningSockets();
  const ports = new Set<number>();
  let allListening = true;
  for (const inode of inodes) {
    const port = listening.get(inode);
    if (port !== undefined) ports.add(port);
    else allListening = false;
  }
  return { ports: [...ports].sort((a, b) => a - b), allListening };
}

/**
 * How long the same set of sockets is taken to mean the same ports: long when
 * every one of them listens (a server's sockets rarely change), short when one
 * does not (a socket made but not yet listening would be missed meanwhile).
 */
const SAME_LISTENING_MS = 30_000;
const SAME_OTHER_MS = 1000;

/**
 * `listeningPorts` for one task looked at again and again: the tcp tables are
 * read only when its set of sockets changed, or the last read grew old.
 * Reading them costs the kernel a walk of its whole connection table (~15 ms
 * measured on this 2-core machine), so a server is not charged that every look.
 */
export function portLooker(now: () => number = Date.now): (pids: number[]) => number[] {
  let last: { key: string; ports: number[]; until: number } | null = null;
  return (pids) => {
    const inodes = pids.flatMap(socketInodes).sort((a, b) => a - b);
    const key = inodes.join(',');
    if (last && last.key === key && now() < last.until) return last.ports;
    const found = portsOf(inodes);
    last = { key, ports: found.ports, until: now() + (found.allListening ? SAME_LISTENING_MS : SAME_OTHER_MS) };
    return last.ports;
  };
}

/** Every TCP port something listens on now (any user). */
export function listenedPorts(): Set<number> {
  return new Set(listeningSockets().values());
}

/**
 * The processes (of this user: others' fds are unreadable) that hold a
 * listening socket on `port`, lowest pid first. Reads every readable
 * process's fd table: for the rare moment a clash is explained, not for polls.
 */
export function portHolders(port: number): number[] {
  const inodes = new Set([...listeningSockets()].filter(([, p]) => p === port).map(([inode]) => inode));
  if (inodes.size === 0) return [];
  const pids: number[] = [];
  let names: string[];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  for (const name of names) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    if (socketInodes(pid).some((i) => inodes.has(i))) pids.push(pid);
  }
  return pids.sort((a, b) => a - b);
}

/** A process's command line, NULs as spaces ('' when unreadable). */
export function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}
