import { MAX_SCRAPES_PER_BATCH, type TargetScrape } from '@mapek/contracts';
import { nameHash } from './name-hash.js';

export interface SampleBatcherOptions {
  /** How many partitions the targets are spread over (a target is always in the same one). */
  readonly partitions: number;
  /** A batch is sent once it holds this many samples (a larger scrape goes alone). */
  readonly maxSamples: number;
  /** A batch is sent at the latest this long after its first scrape joined it. */
  readonly lingerMs: number;
  /** Sends one batch (signed, published, acknowledged); rejects when it could not. */
  readonly send: (partitionKey: string, scrapes: readonly TargetScrape[]) => Promise<void>;
}

interface PendingBatch {
  readonly scrapes: TargetScrape[];
  readonly targets: Set<string>;
  samples: number;
  readonly timer: NodeJS.Timeout;
  readonly sent: Promise<void>;
  release: () => void;
}

/**
 * Gathers the scrapes of one scrape round into a few sample batches, one signature each instead of
 * one per target. A target goes to the partition its name hashes to, so its scrapes always travel
 * on the same subject, in order. A partition's batch is sent when it is full (`maxSamples`, or
 * {@link MAX_SCRAPES_PER_BATCH} scrapes), when it already holds the target (the next round of a
 * fast target), or `lingerMs` after its first scrape joined it. {@link add} resolves when the batch
 * holding the scrape is acknowledged, and rejects with the batch's error, so the scheduler waits
 * for its telemetry as it did with a batch per target.
 */
export class SampleBatcher {
  private readonly pending = new Map<number, PendingBatch>();

  constructor(private readonly options: SampleBatcherOptions) {
    if (!Number.isInteger(options.partitions) || options.partitions < 1) throw new RangeError('partitions must be a positive integer');
  }

  /** The partition key a target's scrapes are published under: `samples-<n>`. */
  partitionKey(target: string): string {
    return this.partitionKeyOf(this.partitionOf(target));
  }

  add(scrape: TargetScrape): Promise<void> {
    const partition = this.partitionOf(scrape.target);
    let batch = this.pending.get(partition);
    if (batch !== undefined && (batch.targets.has(scrape.target) || batch.samples + scrape.samples.length > this.options.maxSamples)) {
      this.send(partition, batch);
      batch = undefined;
    }
    batch ??= this.open(partition);
    batch.scrapes.push(scrape);
    batch.targets.add(scrape.target);
    batch.samples += scrape.samples.length;
    const sent = batch.sent;
    if (batch.samples >= this.options.maxSamples || batch.scrapes.length >= MAX_SCRAPES_PER_BATCH) this.send(partition, batch);
    return sent;
  }

  /** Sends every pending batch now (at shutdown); resolves when all are settled. */
  async flush(): Promise<void> {
    const sending = [...this.pending].map(([partition, batch]) => {
      this.send(partition, batch);
      return batch.sent.catch(() => undefined);
    });
    await Promise.all(sending);
  }

  private open(partition: number): PendingBatch {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const batch: PendingBatch = {
      scrapes: [],
      targets: new Set(),
      samples: 0,
      timer: setTimeout(() => this.send(partition, batch), this.options.lingerMs),
      // Sent once released: the scrapes are all in by then.
      sent: gate.then(() => this.options.send(this.partitionKeyOf(partition), batch.scrapes)),
      release,
    };
    // Every caller of add() handles the rejection; this keeps a batch nobody awaits from being unhandled.
    batch.sent.catch(() => undefined);
    this.pending.set(partition, batch);
    return batch;
  }

  private send(partition: number, batch: PendingBatch): void {
    if (this.pending.get(partition) !== batch) return;
    this.pending.delete(partition);
    clearTimeout(batch.timer);
    batch.release();
  }

  private partitionKeyOf(partition: number): string {
    return `samples-${partition}`;
  }

  /** The partition the target's name hashes to (FNV-1a): the same on every replica and after a restart. */
  private partitionOf(target: string): number {
    return this.options.partitions === 1 ? 0 : nameHash(target) % this.options.partitions;
  }
}
