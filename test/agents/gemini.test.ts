/** Gemini CLI (`gemini -p`) with bgbash as an MCP server. */
import { describe } from 'vitest';
import { geminiPrint, prepareGemini, startGemini } from './lib/gemini.js';
import { runStories } from './lib/story-runner.js';

describe('gemini-0.61.0 print mode', () => runStories('gemini-0.61.0', startGemini, (bin, ws, ep, prompt) => geminiPrint(bin, ws, prepareGemini(ws, ep), prompt)));
