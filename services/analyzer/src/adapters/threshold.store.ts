import { ThresholdLearner, type AlarmOutcome, type ThresholdChange, type ThresholdLearnerState } from '@mapek/anomaly';
import { JsonKv, type KvBucket } from '@mapek/messaging';

interface StoredLearner {
  readonly state: ThresholdLearnerState;
  /** The most recent changes, newest last: the audit of why a series' sensitivity moved. */
  readonly changes: readonly ThresholdChange[];
}

const KEY = 'learner';

/** Learned per-series sensitivities, shared by every analyzer replica through KV. */
export class ThresholdStore {
  private readonly learners: JsonKv<StoredLearner>;

  constructor(kv: KvBucket) {
    this.learners = new JsonKv(kv);
  }

  /** The learned thresholds as they are now (one KV read), to look up every series of a batch. */
  async current(): Promise<ThresholdLearner> {
    const stored = await this.learners.get(KEY);
    return new ThresholdLearner(undefined, stored?.value.state);
  }

  /** Applies an alarm's outcome; re-reads and re-applies on a concurrent update; returns the change, if any. */
  async record(outcome: AlarmOutcome): Promise<ThresholdChange | undefined> {
    let change: ThresholdChange | undefined;
    const written = await this.learners.update(KEY, (stored) => {
      const learner = new ThresholdLearner(undefined, stored?.value.state);
      change = learner.recordOutcome(outcome);
      return change ? { state: learner.snapshot(), changes: [...(stored?.value.changes ?? []), change].slice(-100) } : undefined;
    });
    return written ? change : undefined;
  }

  async changes(): Promise<readonly ThresholdChange[]> {
    return (await this.learners.get(KEY))?.value.changes ?? [];
  }
}
