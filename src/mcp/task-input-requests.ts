/**
 * A task handle's `input_required` state: when a task waits for input (quiet,
 * blocked reading its terminal) and the client can show forms (it declared
 * elicitation), tasks/get asks for the text with an elicitation request, and
 * tasks/update types the answer into the task. Each waiting spell gets its
 * own key, never reused (the extension's rule), so an answer cannot land on
 * a later prompt.
 */
import type { ClientCapabilities } from '@modelcontextprotocol/server';
import type { TaskManager } from '../core/manager.js';
import { readWindow } from '../core/output-view.js';
import type { Task } from '../shared/task.js';
import { oneLine } from './text.js';

interface Spell {
  key: string;
  /** Output size when the spell was answered; new output after it ends the spell. */
  answeredAt: number | null;
  question: string;
}

export class InputPrompts {
  private readonly spells = new Map<string, Spell>();
  private counter = 0;

  constructor(private readonly manager: TaskManager) {}

  /** The open question of a task that waits, starting a new spell when the last one was answered and output moved on. */
  private open(task: Task, lastLine: string): Spell | null {
    const size = this.manager.outputSize(task.id);
    const spell = this.spells.get(task.id);
    if (spell && (spell.answeredAt === null || spell.answeredAt === size)) return spell.answeredAt === null ? spell : null;
    const next: Spell = { key: `input-${++this.counter}`, answeredAt: null, question: lastLine };
    this.spells.set(task.id, next);
    return next;
  }

  /** tasks/update: types accepted answers to the open spell into the task; other keys are ignored. */
  answer(task: Task, responses: Record<string, unknown>): void {
    const spell = this.spells.get(task.id);
    if (!spell || spell.answeredAt !== null) return;
    const response = responses[spell.key] as { action?: string; content?: Record<string, unknown> } | undefined;
    if (!response) return;
    spell.answeredAt = this.manager.outputSize(task.id);
    const input = response.action === 'accept' ? response.content?.input : undefined;
    if (typeof input !== 'string' || task.state !== 'running') return;
    this.manager.input(task.id, input + (task.pty ? '\r' : '\n'));
  }

  /** `inputRequests` for tasks/get, or null when nothing is asked (or the client cannot show a form). */
  async requestsFor(task: Task, caps: ClientCapabilities | undefined): Promise<Record<string, unknown> | null> {
    if (task.state !== 'running' || !caps?.elicitation || !this.manager.waitingForInput(task.id)) return null;
    const win = await readWindow(this.manager, task.id, { tail: 1, maxBytes: 512 });
    const spell = this.open(task, oneLine(win.output, 200));
    return spell ? elicitation(task, spell) : null;
  }
}

function elicitation(task: Task, spell: Spell): Record<string, unknown> {
  const label = oneLine(task.name ?? task.command ?? '', 60);
  return {
    [spell.key]: {
      method: 'elicitation/create',
      params: {
        mode: 'form',
        message: `bgbash task #${task.id} (${label}) is waiting for input.${spell.question ? ` It printed: ${spell.question}` : ''}`,
        requestedSchema: {
          type: 'object',
          properties: { input: { type: 'string', title: 'Input', description: 'Typed into the task, then Enter' } },
          required: ['input'],
        },
      },
    },
  };
}
