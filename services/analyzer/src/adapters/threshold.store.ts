import { ThresholdLearner, type AlarmOutcome, type ThresholdChange, type ThresholdLearnerState } from '@mapek/anomaly';
import { JsonKv, type KvBucket } from '@mapek/messaging';

interface StoredLearner {
  readonly state: ThresholdLearnerState;
  /** The most recent changes, newest last: the audit of why a series' sensitivity moved. */
  readonly changes: readonly ThresholdChange[];
}

const KEY = 'learner';

/**
 * Learned per-series sensitivities, shared by every analyzer replica through KV. Reads are cached
 * for `maxAgeMs` (one KV read per second instead of one per sample batch: at 1,000 targets that
 * read was most of a batch's cost); this replica's own changes are seen at once, another
 * replica's within `maxAgeMs`.
 */
export class ThresholdStore {
  private readonly learners: JsonKv<StoredLearner>;
  private cached: { readonly at: number; readonly learner: Promise<ThresholdLearner> } | undefined;

  constructor(
    kv: KvBucket,
    private readonly maxAgeMs = 1000,
  ) {
    this.learners = new JsonKv(kv);
  }

  /** The learned thresholds, at most `maxAgeMs` old, to look up every series of a batch. */
  current(): Promise<ThresholdLearner> {
    const now = Date.now();
    if (this.cached && now - this.cached.at < this.maxAgeMs) return this.cached.learner;
    const learner = this.learners.get(KEY).then((stored) => new ThresholdLearner(undefined, stored?.value.state));
    const cached = { at: now, learner };
    this.cached = cached;
    learner.catch(() => {
      if (this.cached === cached) this.cached = undefined;
    });
    return learner;
  }

  /** Applies an alarm's outcome; re-reads and re-applies on a concurrent update; returns the change, if any. */
  async record(outcome: AlarmOutcome): Promise<ThresholdChange | undefined> {
    let change: ThresholdChange | undefined;
    const written = await this.learners.update(KEY, (stored) => {
      const learner = new ThresholdLearner(undefined, stored?.value.state);
      change = learner.recordOutcome(outcome);
      return change ? { state: learner.snapshot(), changes: [...(stored?.value.changes ?? []), change].slice(-100) } : undefined;
    });
    if (written) this.cached = undefined;
    return written ? change : undefined;
  }

  async changes(): Promise<readonly ThresholdChange[]> {
    return (await this.learners.get(KEY))?.value.changes ?? [];
  }
}
