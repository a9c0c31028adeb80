/**
 * Who the server says it is: name, title, instructions. Its own small module
 * (no SDK import) because two places answer with it: the MCP instances
 * (server.ts) and the opening answer given before the SDK is loaded
 * (opening-answer.ts).
 */
export const SERVER_NAME = 'bgbash';
export const SERVER_TITLE = 'bgbash — background shell tasks';

export const INSTRUCTIONS = `bgbash runs shell commands without blocking you. Use its bash tool with background: true for servers, watchers, builds and tests; a foreground bash call returns after yield_after seconds (default 30) with the command still running as a task. When a background task ends you are told once, with a notice like "[Task #12 completed] npm test — exit code 0 (41.2s)" and the last lines of output: as your client's task notification, in front of your next bgbash tool result ("notices"), or as a <channel source="bgbash"> event. React to it (read more with task_output) without polling. Read output with task_output (cursor-based, capped), wait with task_status {wait}, answer prompts with task_input.`;

/** The 2026-07-28 tasks extension (repo modelcontextprotocol/ext-tasks). */
export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';
export const CHANNEL_CAPABILITY = 'claude/channel';
