import type { ActuationReplyV1 } from '@mapek/contracts';

/**
 * requestId → reply (as a promise, so a duplicate that arrives while the first is still running
 * waits for it instead of running the remedy again). Bounded: the oldest entries are evicted.
 */
export class ReplyCache {
  private readonly entries = new Map<string, Promise<ActuationReplyV1>>();

  constructor(private readonly maxEntries = 1024) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
  }

  get(requestId: string): Promise<ActuationReplyV1> | undefined {
    return this.entries.get(requestId);
  }

  set(requestId: string, reply: Promise<ActuationReplyV1>): void {
    this.entries.delete(requestId);
    this.entries.set(requestId, reply);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) return;
      this.entries.delete(oldest.value);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
