/**
 * The queue of pending tasks and the concurrency budget they share. One
 * server (the daemon) serves every agent session of the machine, so the
 * budget is fair between sessions: when a slot frees, the pending task of
 * the session with the fewest running tasks starts first, oldest first among
 * equals — one agent's burst of 20 does not starve another's single test run.
 */
export class TaskQueue {
  private readonly ids: string[] = [];

  constructor(
    /** Whether a slot is free now. */
    private readonly hasSlot: () => boolean,
    /** Starts a task; it takes its slot synchronously. */
    private readonly start: (id: string) => Promise<void>,
    private readonly isPending: (id: string) => boolean,
    /** The session a task belongs to ('' for none), and how many tasks each session has running. */
    private readonly sessionOf: (id: string) => string = () => '',
    private readonly running: () => Map<string, number> = () => new Map(),
  ) {}

  push(id: string): void {
    this.ids.push(id);
  }

  remove(id: string): void {
    const at = this.ids.indexOf(id);
    if (at >= 0) this.ids.splice(at, 1);
  }

  /** Queued task ids in the order they would start if every slot freed now, one at a time. */
  order(): string[] {
    const counts = new Map(this.running());
    const left = this.ids.filter((id) => this.isPending(id));
    const out: string[] = [];
    while (left.length) {
      const at = this.pick(left, counts);
      const [id] = left.splice(at, 1);
      const s = this.sessionOf(id);
      counts.set(s, (counts.get(s) ?? 0) + 1);
      out.push(id);
    }
    return out;
  }

  /** Index in `ids` of the next to start: fewest running in its session, then oldest. */
  private pick(ids: string[], counts: Map<string, number>): number {
    let best = 0;
    let bestCount = Infinity;
    const seen = new Set<string>();
    for (let i = 0; i < ids.length; i++) {
      const s = this.sessionOf(ids[i]);
      // The first queued task of a session is its oldest: later ones cannot win a tie.
      if (seen.has(s)) continue;
      seen.add(s);
      const n = counts.get(s) ?? 0;
      if (n < bestCount) {
        best = i;
        bestCount = n;
        if (n === 0) break;
      }
    }
    return best;
  }

  /** Starts queued tasks while there are free slots; returns their start-ups. */
  pump(): Array<Promise<void>> {
    const started: Array<Promise<void>> = [];
    while (this.ids.length > 0 && this.hasSlot()) {
      const at = this.ids.length === 1 ? 0 : this.pick(this.ids, this.running());
      const [id] = this.ids.splice(at, 1);
      if (this.isPending(id)) started.push(this.start(id));
    }
    return started;
  }
}
