// Baseline for cold start, dispatch and memory: the smallest useful MCP server,
// the SDK's McpServer over stdio with one tool, on the same SDK as bgbash
// (@modelcontextprotocol/server). Run: node bench/minimal-server.js
import { McpServer } from '@modelcontextprotocol/server';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { z } from 'zod';

const server = new McpServer({ name: 'minimal', version: '1.0.0' });
server.registerTool('echo', { description: 'Echo the text back', inputSchema: z.object({ text: z.string() }) }, async ({ text }) => ({
  content: [{ type: 'text', text }],
}));
await server.connect(new StdioServerTransport());
process.stdin.on('end', () => process.exit(0));
