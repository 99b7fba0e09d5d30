/**
 * How one flush writes: `serialize` takes one target's state as it is when its slice of the flush
 * comes (a batch scored meanwhile is in it, and is then stored before it is acknowledged, which
 * is all a checkpoint promises); `persist` stores one target's serialized state and throws when
 * it cannot.
 */
export interface CheckpointStore<S> {
  serialize(target: string, state: S): string;
  persist(target: string, state: S, serialized: string): Promise<void>;
}

export interface CheckpointBatchOptions {
  /**
   * Targets serialized and sent at once; default 64. The next slice starts once the last one's
   * writes are answered, so at most one slice is on the connection ahead of anything else.
   */
  readonly sliceSize?: number;
  /** Asked before each slice after the first: a promise holds the flush until it resolves (see LoopFirst). */
  readonly pause?: () => Promise<void> | undefined;
  /**
   * The least time between the starts of two flushes, in ms; default 0 (a flush as soon as the one
   * before has ended). A busy analyzer then writes each target at most once per interval however
   * many batches of it were scored, and its batches are acknowledged up to that much later.
   */
  readonly intervalMs?: number;
}

/** One turn of the event loop: I/O that came meanwhile (a reply another handler awaits) is taken first. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Pending<S> {
  state: S;
  readonly waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }>;
}

/**
 * Group commit for the analyzer's per-target detector checkpoints. A handler that has scored a
 * batch hands its target's state in and waits; one flush at a time writes every target handed in
 * since the last one, once each, however many batches of it were scored, and only then are those
 * handlers released, so their messages are acknowledged after the state that includes them is
 * stored. While a flush writes, the next one gathers: the busier the analyzer, the more batches
 * share a checkpoint, and an idle one writes at once, or once the interval since the last flush
 * has passed ({@link CheckpointBatchOptions.intervalMs}).
 */
export class CheckpointBatch<S> {
  private pending = new Map<string, Pending<S>>();
  private flushing: Promise<void> | undefined;
  private scheduled = false;
  private lastFlushAt = -Infinity;

  private readonly sliceSize: number;
  private readonly intervalMs: number;

  constructor(
    private readonly store: CheckpointStore<S>,
    private readonly options: CheckpointBatchOptions = {},
  ) {
    this.sliceSize = Math.max(1, options.sliceSize ?? 64);
    this.intervalMs = Math.max(0, options.intervalMs ?? 0);
  }

  /** Resolves once a checkpoint of `state` taken after this call is stored; rejects with the store's error. */
  commit(target: string, state: S): Promise<void> {
    return new Promise((resolve, reject) => {
      const entry = this.pending.get(target);
      if (entry) {
        entry.state = state;
        entry.waiters.push({ resolve, reject });
      } else {
        this.pending.set(target, { state, waiters: [{ resolve, reject }] });
      }
      this.schedule();
    });
  }

  /** Targets waiting for the next flush. */
  get waiting(): number {
    return this.pending.size;
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    const start = () => {
      this.scheduled = false;
      this.lastFlushAt = performance.now();
      this.flushing = this.flush().finally(() => {
        this.flushing = undefined;
        if (this.pending.size > 0) this.schedule();
      });
    };
    // After the current turn of the event loop, so that handlers finishing together share a
    // flush, and not before the interval since the last one has passed.
    const wait = this.lastFlushAt + this.intervalMs - performance.now();
    if (wait > 0) setTimeout(start, wait);
    else setImmediate(start);
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    // In slices, one on the connection at a time: a thousand targets' checkpoints are tens of
    // milliseconds of JSON and ~11 MB, which a symptom's round trips on the same connection, and
    // every other client's requests to the server, would otherwise wait behind.
    let slice: Array<Promise<void>> = [];
    for (const [target, entry] of batch) {
      if (slice.length === this.sliceSize) {
        await Promise.all(slice);
        slice = [];
        await (this.options.pause?.() ?? nextTurn());
      }
      let serialized: string;
      try {
        serialized = this.store.serialize(target, entry.state);
      } catch (error) {
        for (const waiter of entry.waiters) waiter.reject(error);
        continue;
      }
      slice.push(
        this.store.persist(target, entry.state, serialized).then(
          () => entry.waiters.forEach((waiter) => waiter.resolve()),
          (error: unknown) => entry.waiters.forEach((waiter) => waiter.reject(error)),
        ),
      );
    }
    await Promise.all(slice);
  }
}
