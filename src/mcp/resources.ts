/**
 * Tasks as MCP resources: bgbash://tasks (all) and bgbash://tasks/{id} (the
 * record and its output tail). Subscribers get resources/updated on every
 * change; a new task sends resources/list_changed. 2025-11-25 clients
 * subscribe with resources/subscribe (bookkept here); 2026-07-28 clients with
 * subscriptions/listen, which the SDK's serving entry routes.
 */
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/server';
import type { TaskManager } from '../core/manager.js';
import { readWindow } from '../core/output-view.js';
import type { Era } from './peer.js';
import { taskSummary, taskView } from './schemas.js';

export const TASKS_URI = 'bgbash://tasks';
export const taskUri = (id: string): string => `${TASKS_URI}/${id}`;

/** `ready`: reads wait for start-up work (dead servers' tasks closed). */
export function registerResources(server: McpServer, manager: TaskManager, era: Era, ready: Promise<void>): () => void {
  const subscribed = new Set<string>();
  server.server.registerCapabilities({ resources: { subscribe: true, listChanged: true } });
  server.registerResource(
    'tasks',
    TASKS_URI,
    { title: 'Background tasks', description: 'Every task this server and its data dir know, newest first', mimeType: 'application/json' },
    async (uri) => {
      await ready;
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(manager.all().slice(0, 200).map(taskSummary), null, 2) }] };
    },
  );
  server.registerResource(
    'task',
    new ResourceTemplate(`${TASKS_URI}/{id}`, {
      list: async () => ({
        resources: manager.own().slice(0, 100).map((t) => ({ uri: taskUri(t.id), name: `task #${t.id}`, description: `${t.state}: ${t.name ?? t.command ?? t.prompt}`, mimeType: 'application/json' })),
      }),
    }),
    { title: 'A background task', description: 'Its record and the last lines of its output', mimeType: 'application/json' },
    async (uri, vars) => {
      await ready;
      const task = manager.fresh(String(vars.id));
      const tail = await readWindow(manager, task.id, { tail: 50, maxBytes: 8192 });
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify({ ...taskView(task), output_tail: tail.output }, null, 2) }] };
    },
  );
  if (era === 'legacy') {
    server.server.setRequestHandler('resources/subscribe', async (req) => {
      subscribed.add(req.params.uri);
      return {};
    });
    server.server.setRequestHandler('resources/unsubscribe', async (req) => {
      subscribed.delete(req.params.uri);
      return {};
    });
  }
  const live = (): boolean => server.server.transport !== undefined;
  const onChanged = (task: { id: string; state: string }, prev: { state: string }): void => {
    if (!live() || task.state === prev.state) return;
    for (const uri of [taskUri(task.id), TASKS_URI]) {
      // 2026-07-28: the entry sends it only on listen streams that asked for this URI.
      if (era === 'modern' || subscribed.has(uri)) server.server.sendResourceUpdated({ uri }).catch(() => undefined);
    }
  };
  const onCreated = (): void => {
    if (live()) server.sendResourceListChanged();
  };
  manager.on('changed', onChanged);
  manager.on('created', onCreated);
  return () => {
    manager.off('changed', onChanged);
    manager.off('created', onCreated);
  };
}
