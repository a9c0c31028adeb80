import os from 'node:os';

// What bgbash costs the model's context, in bytes: the tools/list it reads in
// every request, and what it reads for one background task — the start, the
// notice when it ends, one task_output. Claude Code and Codex hand the model
// structuredContent as JSON (text dropped), so that is what is counted, and
// the text that text-only clients read beside it. Called from bench/run.js.

const waitFor = async (check, what, ms = 20_000) => {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};
const loadNow = () => Math.round(os.loadavg()[0] * 10) / 10;
const jsonBytes = (v) => Buffer.byteLength(JSON.stringify(v));
const textBytes = (r) => Buffer.byteLength(r.content.map((c) => c.text ?? '').join('\n'));

/** @param start a function that starts bgbash and returns `{client, call(name, args), transport}` */
export async function contextBench(start) {
  const load = [loadNow()];
  const s = await start();
  try {
    const list = await s.client.listTools();
    const started = await s.call('bash', { command: 'for i in $(seq 1 20); do echo "line $i of the task"; done', background: true, name: 'twenty lines' });
    const id = started.structuredContent.task_id;
    // The notice rides on the next result; task_list {limit: 1} is the smallest carrier.
    const carrier = await waitFor(async () => {
      const r = await s.call('task_list', { limit: 1 });
      return r.structuredContent.notices?.some((n) => n.task_id === id) ? r : null;
    }, 'the notice');
    const notice = carrier.structuredContent.notices.find((n) => n.task_id === id);
    const output = await s.call('task_output', { task_id: id });
    const structured = jsonBytes(started.structuredContent) + jsonBytes(notice) + jsonBytes(output.structuredContent);
    const text = textBytes(started) + Buffer.byteLength(notice.text) + textBytes(output);
    return {
      tools_list_bytes: jsonBytes({ tools: list.tools }),
      tools: list.tools.length,
      task_view_structured_bytes: structured,
      task_view_text_bytes: text,
      parts: { start: jsonBytes(started.structuredContent), notice: jsonBytes(notice), task_output: jsonBytes(output.structuredContent) },
      load: [...load, loadNow()],
      goal: 'tools/list <= 12 KB; start + notice + task_output of a 20-line task <= 1.5 KB',
    };
  } finally {
    await s.client.close();
  }
}

/** Rows for BENCHMARKS.md's table. */
export function contextRows(c) {
  const ok = (cond) => (cond ? 'met' : '**missed**');
  const load = Array.isArray(c.load) ? c.load.join(' → ') : '';
  return [
    `| context: tools/list (${c.tools} tools) | ${c.tools_list_bytes} B | | | ≤ 12 KB | ${ok(c.tools_list_bytes <= 12_288)} | ${load} |`,
    `| context: one 20-line background task (start + notice + task_output), as JSON | ${c.task_view_structured_bytes} B (text: ${c.task_view_text_bytes} B) | | | ≤ 1.5 KB | ${ok(c.task_view_structured_bytes <= 1536)} | ${load} |`,
  ].join('\n');
}
