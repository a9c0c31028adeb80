/**
 * The two process tables side by side on real processes: /proc and the
 * portable one (ps + lsof) must find the same task tree, the same markers and
 * the same listening ports; what ps cannot know (a read() on stdin) is null,
 * never a guess. Parsers are checked on the shapes procps and macOS print.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { hasProc, procTable } from '../../src/run/proc.js';
import { isAlive, markedProcesses, processTable, taskProcesses, TABLE_VAR } from '../../src/run/process-table.js';
import { markerIn, parseLstart, parseProcLine, portsIn, psTable } from '../../src/run/ps-table.js';
import { waitFor } from '../helpers/wait.js';

const started: ChildProcess[] = [];
afterEach(() => {
  for (const c of started.splice(0)) {
    try {
      process.kill(-c.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
});

/** A task-shaped tree in its own group: a shell, a child, and an escapee in a session of its own, all marked. */
function startTree(marker: string, script: string): ChildProcess {
  // SHLVL: bash with a socket for stdin (Node's pipes) and no SHLVL takes itself for an rshd shell and reads ~/.bashrc.
  const c = spawn('bash', ['-c', script], { detached: true, stdio: ['pipe', 'ignore', 'ignore'], env: { PATH: process.env.PATH!, BGBASH_TASK: marker, SHLVL: '1' } });
  started.push(c);
  return c;
}

const pids = (list: { pid: number }[]): number[] => list.map((p) => p.pid).sort((a, b) => a - b);

describe('parsing what ps and lsof print', () => {
  it('reads lstart as seconds since the epoch (UTC), and refuses other shapes', () => {
    expect(parseLstart('Thu Dec  3 09:05:46 2026')).toBe(Date.UTC(2026, 11, 3, 9, 5, 46) / 1000);
    expect(parseLstart('Mon Jan 12 23:59:01 2026')).toBe(Date.UTC(2026, 0, 12, 23, 59, 1) / 1000);
    expect(parseLstart('12:00')).toBeNaN();
    expect(parseLstart('Thu Foo  3 09:05:46 2026')).toBeNaN();
  });

  it('reads a procps row (with session id) and a macOS row (without: session unknown)', () => {
    expect(parseProcLine('  123   1   123   99 Ss   Thu Dec  3 09:05:46 2026', true)).toEqual({ pid: 123, ppid: 1, pgid: 123, sid: 99, state: 'S', starttime: parseLstart('Thu Dec  3 09:05:46 2026') });
    expect(parseProcLine('  123   1   123 R+   Thu Dec  3 09:05:46 2026', false)).toMatchObject({ pid: 123, sid: -1, state: 'R' });
    expect(parseProcLine('  PID  PPID', true)).toBeNull();
    expect(parseProcLine('abc 1 2 3 S Thu Dec  3 09:05:46 2026', true)).toBeNull();
  });

  it('takes the marker from the environment after the arguments', () => {
    expect(markerIn('bash -c sleep 1 PATH=/bin BGBASH_TASK=ab12cd34:7 HOME=/h')).toBe('ab12cd34:7');
    expect(markerIn('echo BGBASH_TASK=x:1 PATH=/bin BGBASH_TASK=ab:2')).toBe('ab:2');
    expect(markerIn('sleep 1 PATH=/bin')).toBeNull();
    expect(markerIn('sleep 1 NOT_BGBASH_TASK=a:1')).toBeNull();
  });

  it('reads ports from lsof -F n lines of IPv4, IPv6 and wildcard listeners', () => {
    expect([...portsIn('p12\nf5\nn*:3000\nf6\nn127.0.0.1:8080\nn[::1]:5173\nnjunk\n')]).toEqual([3000, 8080, 5173]);
  });
});

describe('BGBASH_PROCESS_TABLE', () => {
  it('picks ps when set to ps, /proc otherwise (where there is one)', () => {
    const before = process.env[TABLE_VAR];
    try {
      process.env[TABLE_VAR] = 'ps';
      expect(processTable().kind).toBe('ps');
      process.env[TABLE_VAR] = 'proc';
      expect(processTable().kind).toBe(hasProc ? 'proc' : 'ps');
    } finally {
      if (before === undefined) delete process.env[TABLE_VAR];
      else process.env[TABLE_VAR] = before;
    }
  });
});

describe.runIf(hasProc)('/proc and ps agree on real processes', () => {
  it('find the same tree: children, group, and an escapee found only by its marker', async () => {
    const marker = `t${process.pid}:${Date.now()}`;
    const root = startTree(marker, 'sleep 300 & setsid sleep 301 & wait');
    // The setsid child leaves the group and session: only the marker finds it.
    const escapee = (): number | undefined => procTable.list().find((p) => p.sid === p.pid && procTable.commandLine(p.pid) === 'sleep 301' && procTable.markers([p.pid]).get(p.pid) === marker)?.pid;
    const lone = await waitFor(escapee, 'the escapee in its own session');
    await waitFor(() => taskProcesses(root.pid!, marker, null, null, procTable).length === 3, 'shell, child and escapee');
    const viaProc = pids(taskProcesses(root.pid!, marker, null, null, procTable));
    expect(viaProc).toContain(lone);
    expect(pids(taskProcesses(root.pid!, marker, null, null, psTable))).toEqual(viaProc);
    expect(pids(taskProcesses(null, marker, null, null, psTable))).toEqual(viaProc);
    const server = marker.slice(0, marker.indexOf(':') + 1);
    expect(pids(markedProcesses(server, null, psTable))).toEqual(pids(markedProcesses(server, null, procTable)));
    // Start times are each table's own unit, and both tell the process from a reused pid.
    const psStart = psTable.stat(root.pid!)!.starttime;
    expect(Math.abs(psStart - Date.now() / 1000)).toBeLessThan(120);
    expect(isAlive(root.pid!, psStart, 'ps', psTable)).toBe(true);
    expect(isAlive(root.pid!, psStart - 5, 'ps', psTable)).toBe(false);
    // A start time of the other table's unit cannot be compared: a live pid is alive.
    expect(isAlive(root.pid!, 12345, 'proc', psTable)).toBe(true);
  });

  it('see the same listening ports; ps cannot tell a read() on stdin (null), /proc can', async () => {
    const marker = `t${process.pid}:${Date.now()}p`;
    const root = startTree(marker, `exec node -e "require('net').createServer().listen(0, '127.0.0.1', () => require('fs').readSync(0, Buffer.alloc(1)))"`);
    await waitFor(() => procTable.listeningPorts([root.pid!]).length === 1, 'the listener');
    expect(psTable.listeningPorts([root.pid!])).toEqual(procTable.listeningPorts([root.pid!]));
    const port = procTable.listeningPorts([root.pid!])[0];
    expect(psTable.portHolders(port)).toEqual(procTable.portHolders(port));
    expect(psTable.listenedPorts().has(port)).toBe(true);
    expect(psTable.commandLine(root.pid!)).toBe(procTable.commandLine(root.pid!));
    const tree = taskProcesses(root.pid!, marker, null, null, procTable);
    await waitFor(() => procTable.blockedOnInput(tree) === true, 'the read');
    expect(psTable.blockedOnInput(tree)).toBeNull();
  });

  it('answer nothing for a pid that does not exist', () => {
    expect(psTable.stat(2 ** 22 + 7)).toBeNull();
    expect(psTable.markers([2 ** 22 + 7]).size).toBe(0);
    expect(psTable.listeningPorts([2 ** 22 + 7])).toEqual([]);
    expect(psTable.commandLine(2 ** 22 + 7)).toBe('');
  });
});
