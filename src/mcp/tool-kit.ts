/**
 * The tools on the wire: `tools/list` from each tool's zod shapes (compact
 * JSON Schema: it is part of every model request the agent sends), and one
 * `tools/call` entry that validates arguments, runs the tool, turns errors
 * into tool errors a model can act on, and chooses the answer's form:
 * a normal result (with pending notices in front), a tasks-extension handle
 * (2026-07-28), or a 2025-11-25 task. A UserError's message goes out as-is;
 * anything else is a bug, reported as one, and never takes the server down.
 */
import { ProtocolError, ProtocolErrorCode, type McpServer, type ServerContext, type ToolAnnotations } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { UserError } from '../shared/errors.js';
import type { Task } from '../shared/task.js';
import type { Decorate, ModelNotice, ToolResult } from './notices.js';
import type { Peer } from './peer.js';
import type { TasksExtension } from './tasks-ext.js';
import { unknownArgumentsError } from './tool-args.js';
import { inputJsonSchema, outputJsonSchema } from './tool-schemas.js';

/** MCP tasks of 2025-11-25 (legacy-tasks.ts), as the tool kit calls them: defined here, so that the kit imports nothing that imports the tools. */
export interface LegacyTasks {
  accepts(tool: string): boolean;
  /** A task-augmented call: start the task, answer `{task}`. */
  call(tool: string, args: { command?: string; prompt?: string } & Record<string, unknown>, rctx: ServerContext): Promise<Record<string, unknown>>;
  close(): void;
}

export type Extra = ServerContext;

export interface ToolReply<S> {
  text: string;
  structured: S;
  /** The task runs on after this answer: a client that declared the tasks extension gets a handle for it instead. */
  runsOn?: Task;
  /** What the handle's statusMessage says (default: the task's one-line state). */
  handleMessage?: string;
}

export interface ToolDef<I extends z.ZodRawShape, O extends z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  annotations: ToolAnnotations;
  handler: (args: z.infer<z.ZodObject<I>>, extra: Extra) => Promise<ToolReply<z.infer<z.ZodObject<O>>>>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a list of tools with different shapes
export type AnyToolDef = ToolDef<any, any>;

export interface ToolHooks {
  /** Tool calls wait for it (start-up work they depend on); tools/list does not. */
  ready: Promise<void>;
  decorate: Decorate;
  peer: Peer;
  tasks: TasksExtension | null;
  legacyTasks: LegacyTasks | null;
}

export function errorResult(message: string): ToolResult {
  return { content: [{ type: 'text', text: `Error: ${message}` }], isError: true };
}

const modelNoticeSchema = z.object({ task_id: z.string(), state: z.string(), exit_code: z.number().nullable(), text: z.string() });
export const noticesOutput = { notices: z.array(modelNoticeSchema).optional() } satisfies Record<string, z.ZodType<ModelNotice[] | undefined>>;

/** "command: expected string, received undefined", one issue per line. */
function argumentError(tool: string, error: z.ZodError): string {
  const lines = error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`);
  return `invalid arguments for ${tool}: ${lines.join('; ')}. Fix ${error.issues.length === 1 ? 'that field' : 'those fields'} and call again.`;
}

/** The tools as `tools/list` shows them; `taskSupport` names the tools that take 2025-11-25 task-augmented calls. */
export function listedTools(defs: AnyToolDef[], taskSupport: (name: string) => boolean = () => false): Array<Record<string, unknown>> {
  return defs.map((d) => ({
    name: d.name,
    title: d.title,
    description: d.description,
    inputSchema: inputJsonSchema(d.input),
    outputSchema: outputJsonSchema({ ...noticesOutput, ...d.output }),
    annotations: d.annotations,
    ...(taskSupport(d.name) ? { execution: { taskSupport: 'optional' as const } } : {}),
  }));
}

export function registerTools(server: McpServer, defs: AnyToolDef[], hooks: ToolHooks): void {
  const byName = new Map(defs.map((d) => [d.name, d]));
  // Built on first use, not with the instance: a client's opening probe (server/discover) is answered without them.
  const inputs = new Map<string, z.ZodObject>();
  let listed: Array<Record<string, unknown>> | null = null;
  server.server.registerCapabilities({ tools: {} });
  server.server.setRequestHandler('tools/list', async (_req, rctx) => {
    hooks.peer.note(rctx);
    // Stable and built once: clients cache tools/list, and model prompts cache best when it never changes.
    listed ??= listedTools(defs, (name) => hooks.legacyTasks?.accepts(name) ?? false);
    return { tools: listed } as never;
  });
  server.server.setRequestHandler('tools/call', async (request, rctx) => {
    hooks.peer.note(rctx);
    const { name } = request.params;
    const def = byName.get(name);
    if (!def) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Tool ${name} not found; bgbash's tools are ${[...byName.keys()].join(', ')}`);
    if (!inputs.has(name)) inputs.set(name, z.object(def.input));
    const parsed = inputs.get(name)!.safeParse(request.params.arguments ?? {});
    const unknown = unknownArgumentsError(name, request.params.arguments, Object.keys(def.input));
    await hooks.ready;
    if (unknown) return hooks.decorate(errorResult(unknown)) as never;
    if (!parsed.success) return hooks.decorate(errorResult(argumentError(name, parsed.error))) as never;
    const taskParams = (request.params as { task?: { ttl?: number | null } }).task;
    if (taskParams && hooks.legacyTasks?.accepts(name)) return (await hooks.legacyTasks.call(name, parsed.data, rctx)) as never;
    try {
      const reply = await def.handler(parsed.data, rctx);
      if (reply.runsOn && hooks.tasks && hooks.peer.acceptsTasks(rctx)) return hooks.tasks.handleFor(reply.runsOn, reply.handleMessage) as never;
      return hooks.decorate({ content: [{ type: 'text', text: reply.text }], structuredContent: reply.structured as Record<string, unknown> }) as never;
    } catch (err) {
      if (err instanceof UserError) return hooks.decorate(errorResult(err.message)) as never;
      process.stderr.write(`bgbash: internal error in ${name}: ${(err as Error).stack ?? err}\n`);
      return hooks.decorate(errorResult(`internal error in ${name}: ${(err as Error).message}. The server is still running; please report this.`)) as never;
    }
  });
}
