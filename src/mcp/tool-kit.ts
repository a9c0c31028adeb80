/**
 * Registering a tool: zod schemas in, text + structured content out, and one
 * place that turns errors into tool errors a model can act on. A UserError's
 * message goes out as-is; anything else is a bug, reported as one, and never
 * takes the server down.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { UserError } from '../core/errors.js';
import { noticeSchema } from '../notify/notice.js';

export type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export interface ToolReply<S> {
  text: string;
  structured: S;
}

/** Adds whatever every result should carry (pending notices). */
export type Decorate = (result: CallToolResult & { structuredContent?: Record<string, unknown> }) => CallToolResult;

export interface ToolDef<I extends z.ZodRawShape, O extends z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  annotations: ToolAnnotations;
  handler: (args: z.infer<z.ZodObject<I>>, extra: Extra) => Promise<ToolReply<z.infer<z.ZodObject<O>>>>;
}

export function errorResult(message: string): CallToolResult {
  return { content: [{ type: 'text', text: `Error: ${message}` }], isError: true };
}

export function registerTool<I extends z.ZodRawShape, O extends z.ZodRawShape>(server: McpServer, def: ToolDef<I, O>, decorate: Decorate): void {
  server.registerTool(
    def.name,
    {
      title: def.title,
      description: def.description,
      inputSchema: def.input,
      // Every result may carry the notices of tasks that ended meanwhile.
      outputSchema: { ...def.output, notices: z.array(noticeSchema).optional().describe('Background tasks that ended since the last call') },
      annotations: def.annotations,
    },
    (async (args: z.infer<z.ZodObject<I>>, extra: Extra): Promise<CallToolResult> => {
      try {
        const reply = await def.handler(args, extra);
        return decorate({ content: [{ type: 'text', text: reply.text }], structuredContent: reply.structured as Record<string, unknown> });
      } catch (err) {
        if (err instanceof UserError) return decorate(errorResult(err.message));
        process.stderr.write(`bgbash: internal error in ${def.name}: ${(err as Error).stack ?? err}\n`);
        return decorate(errorResult(`internal error in ${def.name}: ${(err as Error).message}. The server is still running; please report this.`));
      }
    }) as never,
  );
}
