/** `bgbash serve`: the MCP server on stdio, for one agent session. */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { ConfigError, loadConfig, type LoadOptions } from '../config.js';
import { parseTarget } from '../notify/targets.js';
import { createMcpServer } from '../mcp/server.js';
import { Notifier } from '../notify/notifier.js';
import { startControlServer } from '../control/server.js';
import { socketPathFor } from '../control/socket-path.js';
import { startRuntime } from '../server-runtime.js';
import { VERSION } from '../version.js';

export async function serve(opts: LoadOptions): Promise<void> {
  const config = loadConfig(opts);
  for (const target of config.background.defaultDeliverTo) {
    try {
      parseTarget(target);
    } catch (err) {
      throw new ConfigError(`bad config: "background.defaultDeliverTo": ${(err as Error).message.replace(/^deliver_to: /, '')}`);
    }
  }
  const rt = await startRuntime(config);
  const notifier = new Notifier(rt.manager, rt.foreground, { tailLines: config.notices.tailLines, lineIntervalMs: 1000, maxLineNotices: 50 });
  const mcp = createMcpServer(
    { manager: rt.manager, foreground: rt.foreground, config, session: () => rt.session },
    { version: VERSION, notifier, channel: config.notices.channel },
  );
  const server = mcp.server;
  for (const task of rt.recovered.closed) notifier.announce(task);
  const control = await startControlServer(socketPathFor(rt.paths, rt.info.id), {
    manager: rt.manager,
    foreground: rt.foreground,
    notifier,
    info: rt.info,
    session: rt.session,
  });
  rt.updateInfo({ socket: control.path });
  const transport = new StdioServerTransport();
  let exiting = false;
  const exit = async (why: string, code = 0): Promise<void> => {
    if (exiting) return;
    exiting = true;
    // A second signal while stopping means "now".
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));
    await rt.stop(`the bgbash server shut down (${why})`);
    await control.close();
    await mcp.close();
    process.exit(code);
  };
  process.on('SIGINT', () => void exit('SIGINT'));
  process.on('SIGTERM', () => void exit('SIGTERM'));
  process.on('SIGHUP', () => void exit('SIGHUP'));
  // The client closing our stdin is how stdio MCP sessions end.
  process.stdin.on('end', () => void exit('stdin closed'));
  process.stdin.on('close', () => void exit('stdin closed'));
  process.stdout.on('error', () => void exit('stdout closed'));
  transport.onclose = () => void exit('transport closed');
  await server.connect(transport);
  rt.updateInfo({ client: null });
  server.server.oninitialized = () => rt.updateInfo({ client: server.server.getClientVersion()?.name ?? null });
  process.stderr.write(`bgbash ${VERSION} serving MCP on stdio (server ${rt.info.id}, data ${config.dataDir})\n`);
}
