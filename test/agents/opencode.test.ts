/** opencode (`opencode run`) with bgbash as a local MCP server. */
import { describe } from 'vitest';
import { startChat } from './lib/chat.js';
import { opencodeRun, prepareOpencode } from './lib/opencode.js';
import { runStories } from './lib/story-runner.js';

describe('opencode-1.18.33 run', () => runStories('opencode-1.18.33', startChat, (bin, ws, ep, prompt) => opencodeRun(bin, ws, prepareOpencode(ws, ep), prompt)));
