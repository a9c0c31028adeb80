/** One mark per end state, the same in every chat service that shows emoji. */
import type { EndedTask } from '../shared/task.js';

export const STATE_EMOJI: Record<EndedTask['state'], string> = { done: '✅', failed: '❌', cancelled: '⏹️' };
