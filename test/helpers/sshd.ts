/**
 * A real OpenSSH server for the ssh backend's tests: started on a free local
 * port with a throwaway host key and an authorized client key in a temp dir,
 * killed after. `remote(cmd)` runs a command on it through plain ssh, so tests
 * check the remote side the way a person would.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { tempDir } from './server.js';
import { waitFor } from './wait.js';

export function findSshd(): string | null {
  for (const p of ['/usr/sbin/sshd', '/usr/local/sbin/sshd', '/sbin/sshd']) if (fs.existsSync(p)) return p;
  const r = spawnSync('sh', ['-c', 'command -v sshd'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null;
}

export function hasSshClient(): boolean {
  return spawnSync('ssh', ['-V']).status === 0;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface TestSshd {
  port: number;
  dir: string;
  /** The client key sshd accepts. */
  identity: string;
  /** A key sshd does not accept. */
  wrongIdentity: string;
  knownHosts: string;
  user: string;
  /** `backends.<name>` value for this server. */
  backend(extra?: Record<string, unknown>): Record<string, unknown>;
  /** Runs a command on the "remote" side over a fresh ssh connection. */
  remote(command: string): string;
  /** Drops every client connection from the server side (sshd's per-connection processes get SIGKILL). */
  dropConnections(): number;
  stop(): Promise<void>;
}

export async function startSshd(sshd: string): Promise<TestSshd> {
  const dir = tempDir('bgbash-sshd-');
  const keygen = (file: string): void => void execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
  const hostKey = path.join(dir, 'host_key');
  const identity = path.join(dir, 'id');
  const wrongIdentity = path.join(dir, 'id_wrong');
  keygen(hostKey);
  keygen(identity);
  keygen(wrongIdentity);
  fs.copyFileSync(`${identity}.pub`, path.join(dir, 'authorized_keys'));
  const port = await freePort();
  const knownHosts = path.join(dir, 'known_hosts');
  const pub = fs.readFileSync(`${hostKey}.pub`, 'utf8');
  fs.writeFileSync(knownHosts, `[127.0.0.1]:${port} ${pub}[localhost]:${port} ${pub}`);
  const user = os.userInfo().username;
  fs.writeFileSync(
    path.join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      'StrictModes no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'UsePAM no',
      'PermitRootLogin prohibit-password',
      `AllowUsers ${user}`,
      // Many sessions over one shared connection.
      'MaxSessions 100',
      'MaxStartups 100',
      // bash sources ~/.bashrc for commands run by sshd when SHLVL < 2; this machine's is slow
      // (pyenv init: 5 s per session under load). The remote side of a test needs none of it.
      'SetEnv SHLVL=5',
      'LogLevel ERROR',
    ].join('\n') + '\n',
  );
  // Privilege separation wants this directory when sshd runs as root.
  if (process.getuid?.() === 0) fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  let log = '';
  const child: ChildProcess = spawn(sshd, ['-D', '-e', '-f', path.join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const clientArgs = ['-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'ControlPath=none', '-i', identity, '-o', 'IdentitiesOnly=yes', '-p', String(port), '-l', user];
  const remote = (command: string): string => execFileSync('ssh', [...clientArgs, '127.0.0.1', command], { encoding: 'utf8', timeout: 20_000 });
  try {
    await waitFor(() => {
      if (child.exitCode !== null) throw new Error(`sshd exited: ${log}`);
      return remote('echo up').trim() === 'up';
    }, `sshd on port ${port} (log: ${log})`, 20_000, 100);
  } catch (err) {
    // Never leave a listener behind when start-up fails.
    child.kill('SIGKILL');
    throw err;
  }
  return {
    port,
    dir,
    identity,
    wrongIdentity,
    knownHosts,
    user,
    backend: (extra = {}) => ({
      type: 'ssh',
      host: '127.0.0.1',
      port,
      user,
      identity,
      options: [`UserKnownHostsFile=${knownHosts}`, 'StrictHostKeyChecking=yes'],
      ...extra,
    }),
    remote,
    dropConnections() {
      const kids = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
        .split('\n')
        .map((l) => l.trim().split(/\s+/).map(Number))
        .filter(([, ppid]) => ppid === child.pid)
        .map(([pid]) => pid);
      for (const pid of kids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* ended between the listing and the kill: dropped all the same */
        }
      }
      return kids.length;
    },
    async stop() {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* gone */
      }
      await waitFor(() => child.exitCode !== null || child.signalCode !== null, 'sshd to stop', 5000);
    },
  };
}
