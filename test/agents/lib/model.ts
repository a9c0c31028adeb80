/**
 * What a scripted model sees and says, independent of the wire format. Each
 * fake endpoint (anthropic.ts, responses.ts, chat.ts, gemini.ts) turns a
 * request into a `ModelInput` — the conversation as an ordered list of parts —
 * logs it, asks the scenario's script for a `Turn`, and streams that back in
 * its own format. Assertions about "where the notice sits in the model's
 * input" are made on `ModelInput`, so they read the same for every CLI.
 */

/** One piece of the model's input, in order. */
export type Part =
  | { kind: 'system'; text: string }
  | { kind: 'user'; text: string }
  | { kind: 'assistant'; text: string }
  | { kind: 'tool_call'; id: string; name: string; input: unknown }
  | { kind: 'tool_result'; id: string; name?: string; text: string };

export interface ModelInput {
  /** Index of this request among every request the endpoint got. */
  seq: number;
  at: number;
  path: string;
  /** Tool names the CLI offered the model. */
  tools: string[];
  parts: Part[];
  /** The request body as sent. */
  raw: unknown;
}

export interface ToolCall {
  name: string;
  input: Record<string, unknown>;
}

/** What the model answers: text, and/or tool calls (then the CLI runs them and asks again). */
export interface Turn {
  text?: string;
  calls?: ToolCall[];
}

export type Script = (input: ModelInput, log: ModelInput[]) => Turn | Promise<Turn>;

/** The tool whose name ends with `suffix` and mentions bgbash (names differ per CLI and per plugin/config). */
export function bgbashTool(input: ModelInput, suffix: string): string {
  const name = input.tools.find((t) => /bgbash/i.test(t) && (t.endsWith(`__${suffix}`) || t.endsWith(`_${suffix}`) || t.endsWith(`.${suffix}`)));
  if (!name) throw new Error(`no bgbash tool ending in ${suffix} among ${input.tools.join(', ') || '(none)'}`);
  return name;
}

/** Results the model got back for bgbash tool calls, oldest first. */
export function toolResults(input: ModelInput): Array<Extract<Part, { kind: 'tool_result' }>> {
  return input.parts.filter((p): p is Extract<Part, { kind: 'tool_result' }> => p.kind === 'tool_result');
}

/** The last part of the input: what the model is answering to. */
export function lastPart(input: ModelInput): Part | undefined {
  return input.parts[input.parts.length - 1];
}

/** Every place in the input whose text contains `needle`. */
export function whereIs(input: ModelInput, needle: string | RegExp): Array<{ index: number; part: Part }> {
  const hits: Array<{ index: number; part: Part }> = [];
  input.parts.forEach((part, index) => {
    const text = part.kind === 'tool_call' ? JSON.stringify(part.input) : part.text;
    if (typeof needle === 'string' ? text.includes(needle) : needle.test(text)) hits.push({ index, part });
  });
  return hits;
}

/** How many times `needle` occurs in the whole input (a notice shown twice counts 2). */
export function countIn(input: ModelInput, needle: string): number {
  let n = 0;
  for (const part of input.parts) {
    const text = part.kind === 'tool_call' ? JSON.stringify(part.input) : part.text;
    n += text.split(needle).length - 1;
  }
  return n;
}

/** Text of an arbitrary JSON content value: strings, {text}, arrays of those. */
export function textOf(content: unknown): string {
  if (content == null) return '';
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map(textOf).join('\n');
  if (typeof content === 'object') {
    const o = content as Record<string, unknown>;
    if (typeof o.text === 'string') return o.text;
    if ('content' in o) return textOf(o.content);
    if ('output' in o) return textOf(o.output);
    return JSON.stringify(o);
  }
  return String(content);
}
