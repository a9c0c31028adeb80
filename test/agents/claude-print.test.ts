/** Claude Code `-p` (print mode) with bgbash as a plain MCP server. */
import { describe } from 'vitest';
import { startAnthropic } from './lib/anthropic.js';
import { claudePrint } from './lib/claude.js';
import { runStories } from './lib/story-runner.js';

describe.each(['claude-2.1.330', 'claude-2.1.197'] as const)('%s print mode', (id) => runStories(id, startAnthropic, (bin, ws, ep, prompt) => claudePrint(bin, ws, ep, prompt)));
