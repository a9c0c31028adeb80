// bgbash plugin for opencode: when a bgbash background task ends, its
// completion notice is added to the current opencode session. When the
// session is idle, the notice starts a turn, so the agent reacts at once
// (bgbash config `notices.wakeIdle`, default true; false: never start one).
// While the agent is busy, the notice is added with noReply: it is in the
// conversation at the agent's next step, and no extra turn is started.
//
// Install: copy this file to .opencode/plugins/ (project) or
// ~/.config/opencode/plugins/ (user), or run `bgbash install opencode`.
// It talks to the bgbash server opencode started (its MCP server, a child of
// the opencode process) over that server's control socket: newline-delimited
// JSON, the same protocol the bgbash CLI uses. No dependencies.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const RESCAN_MS = 2000;

function dataDir() {
  if (process.env.BGBASH_DATA_DIR) return process.env.BGBASH_DATA_DIR;
  const state = process.env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(state, 'bgbash');
}

function parentOf(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return 0;
  }
}

/** Without /proc (macOS): every process's parent from one `ps` run. */
function psParents() {
  const parents = new Map();
  try {
    for (const line of execFileSync('ps', ['-A', '-o', 'pid=', '-o', 'ppid='], { encoding: 'utf8', timeout: 5000 }).split('\n')) {
      const [pid, ppid] = line.trim().split(/\s+/).map(Number);
      if (pid > 0) parents.set(pid, ppid);
    }
  } catch {
    /* no ps: nothing is ours */
  }
  return parents;
}

/** Is `ancestor` among the ancestors of `pid`? */
function descendsFrom(pid, ancestor) {
  const parents = fs.existsSync('/proc/self/stat') ? null : psParents();
  for (let cur = pid, i = 0; cur > 1 && i < 64; i++) {
    if (cur === ancestor) return true;
    cur = parents ? (parents.get(cur) ?? 0) : parentOf(cur);
  }
  return false;
}

/** A server's parentage does not change while it lives: asked once per server (ps is not run every rescan). */
const ancestryOf = new Map();
function startedByMe(info) {
  const key = `${info.id}:${info.pid}`;
  if (!ancestryOf.has(key)) ancestryOf.set(key, descendsFrom(info.pid, process.pid));
  return ancestryOf.get(key);
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** bgbash servers this process started (or BGBASH_SESSION names). */
function ownServers(dir) {
  let names = [];
  try {
    names = fs.readdirSync(path.join(dir, 'servers')).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const out = [];
  for (const name of names) {
    try {
      const info = JSON.parse(fs.readFileSync(path.join(dir, 'servers', name), 'utf8'));
      if (!info.socket || !alive(info.pid)) continue;
      const mine = process.env.BGBASH_SESSION ? (info.session ?? info.id) === process.env.BGBASH_SESSION : startedByMe(info);
      if (mine) out.push(info);
    } catch {
      /* being written */
    }
  }
  return out;
}

/** A connection to one server's control socket. */
function connect(info, onEvent, onClose) {
  const sock = net.connect(info.socket);
  const pending = new Map();
  let nextId = 1;
  let buffer = '';
  sock.setEncoding('utf8');
  sock.on('data', (data) => {
    buffer += data;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      let msg;
      try {
        msg = JSON.parse(line);
      } catch {
        continue;
      }
      if (msg.event) onEvent(msg);
      else if (pending.has(msg.id)) {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        msg.ok ? p.resolve(msg.result) : p.reject(new Error(msg.error));
      }
    }
  });
  sock.on('error', () => undefined);
  sock.on('close', () => {
    for (const p of pending.values()) p.reject(new Error('closed'));
    onClose();
  });
  const request = (verb, args = {}) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      sock.write(JSON.stringify({ id, verb, args }) + '\n');
    });
  return { request, close: () => sock.destroy() };
}

/** The session's state from opencode's events: busy from a `busy` status until `session.idle`. */
function statusOf(event) {
  const p = event?.properties ?? {};
  if (event?.type === 'session.idle') return { id: p.sessionID, busy: false };
  if (event?.type === 'session.status') return { id: p.sessionID, busy: p.status?.type !== 'idle' };
  return null;
}

export const BgbashPlugin = async ({ client }) => {
  const dir = dataDir();
  const conns = new Map();
  let sessionID = null;
  let busy = false;
  let flushing = Promise.resolve();

  // Takes every waiting notice from each server and adds it to the session, in order:
  // one new turn for them when the session is idle (and the server allows it), else noReply.
  const flush = () => {
    flushing = flushing.then(async () => {
      if (!sessionID) return; // kept in the inbox until there is a session to tell
      const texts = [];
      let wake = true;
      for (const conn of conns.values()) {
        let notices = [];
        try {
          ({ notices } = await conn.request('drain', { max: 50 }));
        } catch {
          continue;
        }
        if (conn.wakeIdle === false) wake = false;
        for (const n of notices) texts.push(n.text);
      }
      if (texts.length === 0) return;
      const parts = [{ type: 'text', text: texts.join('\n\n') }];
      if (wake && !busy) {
        busy = true; // until opencode says the turn is over
        // Not awaited: prompt() resolves when the turn ends, and later notices must not wait for that.
        client.session.prompt({ path: { id: sessionID }, body: { parts } }).catch(() => undefined);
      } else {
        await client.session.prompt({ path: { id: sessionID }, body: { noReply: true, parts } });
      }
    });
    return flushing;
  };

  const scan = () => {
    for (const info of ownServers(dir)) {
      if (conns.has(info.id)) continue;
      const conn = connect(
        info,
        (e) => {
          if (e.event === 'notice') void flush();
        },
        () => conns.delete(info.id),
      );
      conns.set(info.id, conn);
      conn
        .request('hello', {})
        .then((h) => (conn.wakeIdle = h?.wake_idle !== false), () => undefined)
        .then(() => conn.request('subscribe', {}))
        .then(() => flush(), () => undefined);
    }
  };
  scan();
  const timer = setInterval(scan, RESCAN_MS);
  timer.unref?.();

  return {
    event: async ({ event }) => {
      const status = statusOf(event);
      if (status && status.id && status.id === sessionID) {
        busy = status.busy;
        // Notices that came in while it was busy and were not delivered: now is the time.
        if (!busy) await flush();
        return;
      }
      const p = event?.properties ?? {};
      const id = p.sessionID ?? p.info?.sessionID ?? (String(event?.type ?? '').startsWith('session.') ? p.info?.id : undefined);
      if (id && id !== sessionID) {
        sessionID = id;
        busy = status ? status.busy : false;
        await flush();
      }
    },
    // For tests and reloads: stop watching.
    dispose: () => {
      clearInterval(timer);
      for (const c of conns.values()) c.close();
    },
  };
};

export default BgbashPlugin;
