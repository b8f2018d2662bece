// Background jobs of the server process (issue 16's exports, issue 21's campaign sends): a job is
// queued, then run when one of `concurrency` places is free, its progress kept in memory for the
// pages to read while it runs. Closing stops taking jobs: the running ones are awaited (each
// checks `stopping` between its chunks and stops there), the queued ones are handed back to be
// recorded as interrupted. What a job is, its row, heartbeat and sweep belong to its feature.

interface Waiting<P> {
  id: string;
  progress: P;
  run: (progress: P) => Promise<void>;
}

export class JobPool<P> {
  private readonly queue: Waiting<P>[] = [];
  private readonly running = new Map<string, { progress: P; work: Promise<void> }>();
  private closed = false;

  /** `onError`: what a job threw past its own bookkeeping (logged by the feature). */
  constructor(
    readonly concurrency: number,
    private readonly onError: (id: string, e: unknown) => void,
  ) {}

  /** Set once close() was called: a job stops at its next chunk. */
  get stopping(): boolean {
    return this.closed;
  }

  /** Queues a job; it starts at once when a place is free. */
  add(id: string, progress: P, run: (progress: P) => Promise<void>): void {
    this.queue.push({ id, progress, run });
    this.pump();
  }

  /** The job is queued or running in this process. */
  has(id: string): boolean {
    return this.running.has(id) || this.queue.some((q) => q.id === id);
  }

  isRunning(id: string): boolean {
    return this.running.has(id);
  }

  /** The live progress of a queued or running job of this process. */
  progress(id: string): P | undefined {
    return this.running.get(id)?.progress ?? this.queue.find((q) => q.id === id)?.progress;
  }

  /** The running jobs and their progress (for heartbeats). */
  active(): [string, P][] {
    return [...this.running.entries()].map(([id, r]) => [id, r.progress]);
  }

  /** Every job of this process, queued or running. */
  ids(): string[] {
    return [...this.running.keys(), ...this.queue.map((q) => q.id)];
  }

  /** Stops taking jobs, waits for the running ones to stop; the ids of those never started. */
  async close(): Promise<string[]> {
    this.closed = true;
    const waiting = this.queue.splice(0).map((q) => q.id);
    await Promise.allSettled([...this.running.values()].map((r) => r.work));
    return waiting;
  }

  private pump(): void {
    while (!this.closed && this.running.size < this.concurrency && this.queue.length) {
      const next = this.queue.shift();
      if (!next) break;
      const work = next
        .run(next.progress)
        .catch((e: unknown) => this.onError(next.id, e))
        .finally(() => {
          this.running.delete(next.id);
          this.pump();
        });
      this.running.set(next.id, { progress: next.progress, work });
    }
  }
}
