/** Names the core knows before a task exists. */

/** The runner name of prompts answered by the MCP client's own model. */
export const SAMPLING_RUNNER = 'sampling';
