/**
 * Tasks on another machine, through the system OpenSSH client: its config,
 * keys and agent are the user's own. One shared connection per host
 * (ControlMaster, started without any task's marker so ending a task never
 * ends it) makes each task start in one round trip. A remote pty when the task
 * asks for a terminal. Output and exit status stream back into the local log;
 * the record stays local. Cancel, timeout and shutdown end the remote process
 * tree with a second command over the same connection.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config.js';
import { UserError } from '../../shared/errors.js';
import { ProcessEvents } from '../process-events.js';
import { taskEnv, type Backend, type LaunchSpec, type TaskProcess } from './backend.js';
import { localTree } from './local-tree.js';
import { MarkerFilter, newMarkers, remoteKillScript, remoteScript, type RemoteMarker } from './ssh-remote.js';
import { PRELUDE, stateFileFor } from '../state-capture.js';

export type SshConfig = Extract<Config['backends'][string], { type: 'ssh' }>;

/** A Unix socket path must fit in sun_path (108 bytes), with room for ssh's temporary suffix. */
const MAX_SOCKET_PATH = 90;

/** Runs ssh to completion; its stderr names what went wrong. */
function runSsh(args: string[], input: string | null, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('ssh', args, { stdio: [input === null ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: err.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    if (input !== null) child.stdin!.end(input);
  });
}

function writeState(file: string, state: Buffer): void {
  try {
    fs.writeFileSync(file, state, { mode: 0o600 });
  } catch {
    /* unwritable data dir: the state stays as it was, and the call says so */
  }
}

/** ssh's own last word, e.g. "Permission denied (publickey)." */
function sshSaid(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('Warning: Permanently added'));
  return lines.slice(-2).join(' ') || 'no message';
}

export function sshBackend(name: string, cfg: SshConfig, config: Config): Backend {
  const where = `${cfg.user ? `${cfg.user}@` : ''}${cfg.host}${cfg.port ? `:${cfg.port}` : ''}`;
  // Whatever changes how ssh connects or logs in gets its own shared connection.
  const id = crypto.createHash('sha256').update(JSON.stringify([cfg.host, cfg.port ?? 22, cfg.user ?? '', cfg.identity ?? '', cfg.options])).digest('hex').slice(0, 12);
  const control = path.join(config.dataDir, 'run', `ssh-${id}`);
  const shared = control.length <= MAX_SOCKET_PATH;
  const base = [
    '-o', 'BatchMode=yes',
    '-o', 'ConnectTimeout=10',
    // A connection that stops answering is noticed within ~15 s, not at the TCP timeout.
    '-o', 'ServerAliveInterval=5',
    '-o', 'ServerAliveCountMax=3',
    ...(cfg.port ? ['-p', String(cfg.port)] : []),
    ...(cfg.user ? ['-l', cfg.user] : []),
    ...(cfg.identity ? ['-i', cfg.identity, '-o', 'IdentitiesOnly=yes'] : []),
    ...cfg.options.flatMap((o) => ['-o', o]),
    ...(shared ? ['-o', `ControlPath=${control}`] : ['-o', 'ControlPath=none']),
  ];
  const failed = (what: string, stderr: string): UserError => new UserError(`backend "${name}": ${what} ${where} failed: ${sshSaid(stderr)}`, 'backend');

  let master: Promise<void> | null = null;
  /** The shared connection: checked, else started (and authenticated) now. */
  const connect = (): Promise<void> => {
    if (!shared) return Promise.resolve();
    master ??= (async () => {
      if ((await runSsh([...base, '-O', 'check', '--', cfg.host], null, 5000)).code === 0) return;
      fs.mkdirSync(path.dirname(control), { recursive: true, mode: 0o700 });
      const r = await runSsh([...base, '-o', 'ControlMaster=yes', '-o', 'ControlPersist=120', '-N', '-f', '--', cfg.host], null, 20_000);
      if (r.code !== 0) throw failed('connecting to', r.stderr);
    })().finally(() => (master = null));
    return master;
  };

  const terminateRemote = async (marker: RemoteMarker, sid: number | null, graceMs: number): Promise<number> => {
    const r = await runSsh([...base, '-T', '--', cfg.host, 'sh', '-s'], remoteKillScript(marker, sid, graceMs), graceMs + 15_000);
    return Number(/found (\d+)/.exec(r.stdout)?.[1] ?? 0);
  };

  return {
    name,
    terminal: false,
    writesLogs: false,
    // A remote path as given (never resolved here); "~" is the remote home.
    resolveCwd: (cwd) => cwd ?? cfg.cwd ?? '~',
    async start(spec: LaunchSpec): Promise<TaskProcess> {
      if (spec.kind !== 'shell') throw new UserError(`backend "${name}" runs shell commands only`, 'backend');
      await connect();
      const markers = newMarkers();
      const script = remoteScript(markers, { command: spec.command!, cwd: spec.cwd, env: taskEnv(spec, null), unset: spec.envUnset, prelude: spec.shellState ? PRELUDE : null });
      // LogLevel=ERROR first (ssh keeps the first value it gets): at INFO the client ends every pty session with
      // "Shared connection to <host> closed." on its stderr, which would land in the task's output.
      // The remote shell gets it as one argument (the command in it twice, with the task's exports): over what
      // Linux takes as one argument, say so rather than fail with E2BIG.
      if (Buffer.byteLength(script) >= 128 * 1024) throw new UserError(`the command is too big for backend "${name}": on an ssh host it goes to the remote shell as one argument, twice, with its exports (${Buffer.byteLength(script)} bytes; at most 128 KiB): write the script to a file there and run the file`, 'command');
      const args = ['-o', 'LogLevel=ERROR', ...base, spec.pty ? '-tt' : '-T', '--', cfg.host, script];
      // The local ssh client carries the marker: local reaping (and the watchdog) treat it as the task's process.
      const child = spawn('ssh', args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env: taskEnv(spec, process.env) });
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', (err) => reject(new UserError(`backend "${name}": cannot run ssh: ${err.message}`, 'backend')));
      });
      child.unref();
      const events = new ProcessEvents();
      const out = new MarkerFilter(markers, (c) => events.data(c, 'stdout'));
      let stderr = '';
      child.stdout!.on('data', (c: Buffer) => out.push(c));
      child.stderr!.on('data', (c: Buffer) => {
        // Until the command starts, stderr is ssh's own (login failures): kept for the error. Under a remote
        // pty the command's stderr comes through the pty, so all of ssh's stderr is ssh's own, then too.
        if (out.started === null || spec.pty) stderr = (stderr + c.toString()).slice(-4096);
        else events.data(c, 'stderr');
      });
      child.stdin!.on('error', () => undefined);
      let ended = false;
      child.on('close', (code, signal) => {
        out.end();
        if (ended) return;
        ended = true;
        if (out.exitStatus !== null) {
          // What the remote shell changed goes where a local capture would have written it (core/shell-state.ts reads it at the end).
          if (out.state) writeState(stateFileFor(spec.config.dataDir, spec.id), out.state);
          return events.exit({ exit_code: out.exitStatus, signal: null });
        }
        if (out.started === null) {
          return events.exit({ exit_code: code, signal, failure: { reason: 'spawn_error', error: failed('running on', stderr || `ssh exited with ${signal ?? code}`).message } });
        }
        events.exit({ exit_code: code, signal, failure: { reason: 'connection_lost', error: `backend "${name}": the ssh connection to ${where} was lost while the task ran (${sshSaid(stderr) === 'no message' ? `ssh exited with ${signal ?? code}` : sshSaid(stderr)})` } });
      });
      const local = localTree(
        {
          pid: child.pid!,
          write: (d) => void (child.stdin!.writable && child.stdin!.write(d)),
          pendingInput: () => child.stdin!.writableLength,
          endInput: () => child.stdin!.end(),
          resize: () => undefined,
          pause: () => child.stdout!.pause(),
          resume: () => child.stdout!.resume(),
          onData: events.onData,
          onExit: events.onExit,
          dispose: () => {
            child.stdout!.destroy();
            child.stderr!.destroy();
          },
        },
        spec.marker,
        spec.server,
      );
      const localTerminate = local.terminate;
      let ending: Promise<void> | null = null;
      return Object.assign(local, {
        // No cheap way to see a remote read(): a remote task is never "waiting for input".
        waitingForInput: () => false,
        // What listens there is on the host, not here (the local ssh client's own sockets are not the task's).
        listeningPorts: undefined,
        terminate: (graceMs: number) =>
          (ending ??= (async () => {
            // The remote tree first (the local client stays to carry its last output), then the local client.
            await terminateRemote({ task: spec.marker }, out.started, graceMs).catch(() => 0);
            await localTerminate(graceMs);
          })()),
      });
    },
    // After a kill -9 of the server, its tasks' remote processes outlive the local ssh clients the watchdog ends:
    // recovery ends every remote process carrying the dead server's marker.
    async reapOrphans(serverId: string, _since: number | null, graceMs: number): Promise<number> {
      await connect();
      return terminateRemote({ server: serverId }, null, graceMs);
    },
  };
}
