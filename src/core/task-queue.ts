/** The queue of pending tasks, started in order while concurrency slots are free. */
export class TaskQueue {
  private readonly ids: string[] = [];

  constructor(
    /** Whether a slot is free now. */
    private readonly hasSlot: () => boolean,
    /** Starts a task; it takes its slot synchronously. */
    private readonly start: (id: string) => Promise<void>,
    private readonly isPending: (id: string) => boolean,
  ) {}

  push(id: string): void {
    this.ids.push(id);
  }

  remove(id: string): void {
    const at = this.ids.indexOf(id);
    if (at >= 0) this.ids.splice(at, 1);
  }

  /** Starts queued tasks while there are free slots; returns their start-ups. */
  pump(): Array<Promise<void>> {
    const started: Array<Promise<void>> = [];
    while (this.ids.length > 0 && this.hasSlot()) {
      const id = this.ids.shift()!;
      if (this.isPending(id)) started.push(this.start(id));
    }
    return started;
  }
}
