/**
 * What a server does once it serves, the daemon and a one-process
 * `serve --no-daemon`/`--http` alike: closes what dead servers left
 * (announcing the tasks it closed), prunes now and hourly, and opens its
 * control socket.
 */
import path from 'node:path';
import type { ControlServer } from '../control/server.js';
import { socketPathFor } from '../control/socket-path.js';
import type { Notifier } from '../notify/notifier.js';
import type { Runtime } from '../server-runtime.js';

/**
 * `ready` is called once recovery is over (requests about tasks wait for it). Null when `ended()` says the server
 * began stopping meanwhile (then no socket stays open).
 */
export async function startServices(rt: Runtime, notifier: Notifier, opts: { session: string; ready(): void; ended(): boolean }): Promise<ControlServer | null> {
  try {
    const recovered = await rt.recover();
    if (opts.ended()) return null;
    for (const task of recovered.closed) void notifier.announce(task);
  } finally {
    opts.ready();
  }
  rt.pruneNow();
  setInterval(() => rt.pruneNow(), 3_600_000).unref();
  // Loaded here, not at start: the first answer does not wait for it.
  const { startControlServer } = await import('../control/server.js');
  const socket = await startControlServer(socketPathFor(rt.paths, rt.info.id), {
    manager: rt.manager,
    foreground: rt.foreground,
    notifier,
    info: rt.info,
    session: opts.session,
    wakeIdle: rt.config.notices.wakeIdle,
  });
  if (opts.ended()) {
    await socket.close();
    return null;
  }
  rt.updateInfo({ socket: path.resolve(socket.path) });
  return socket;
}
