/** Codex CLI (`codex exec`) with bgbash as an MCP server. */
import { describe } from 'vitest';
import { codexExec, prepareCodex } from './lib/codex.js';
import { startResponses } from './lib/responses.js';
import { runStories } from './lib/story-runner.js';

describe('codex-0.169.0 exec', () => runStories('codex-0.169.0', startResponses, (bin, ws, ep, prompt) => codexExec(bin, ws, prepareCodex(ws, ep), prompt)));
