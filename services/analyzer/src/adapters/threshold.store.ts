import { ThresholdLearner, type AlarmOutcome, type ThresholdChange, type ThresholdLearnerState } from '@mapek/anomaly';
import { getJson, type KvBucket } from '@mapek/messaging';

interface StoredLearner {
  readonly state: ThresholdLearnerState;
  /** The most recent changes, newest last: the audit of why a series' sensitivity moved. */
  readonly changes: readonly ThresholdChange[];
}

const KEY = 'learner';

/** Learned per-series sensitivities, shared by every analyzer replica through KV. */
export class ThresholdStore {
  constructor(private readonly kv: KvBucket) {}

  /** The learned thresholds as they are now (one KV read), to look up every series of a batch. */
  async current(): Promise<ThresholdLearner> {
    const stored = await getJson<StoredLearner>(this.kv, KEY);
    return new ThresholdLearner(undefined, stored?.value.state);
  }

  /** Applies an alarm's outcome; retries on a concurrent update; returns the change, if any. */
  async record(outcome: AlarmOutcome): Promise<ThresholdChange | undefined> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const stored = await getJson<StoredLearner>(this.kv, KEY);
      const learner = new ThresholdLearner(undefined, stored?.value.state);
      const change = learner.recordOutcome(outcome);
      if (!change) return undefined;
      const next: StoredLearner = { state: learner.snapshot(), changes: [...(stored?.value.changes ?? []), change].slice(-100) };
      try {
        if (stored) await this.kv.update(KEY, JSON.stringify(next), stored.revision);
        else await this.kv.create(KEY, JSON.stringify(next));
        return change;
      } catch {
        continue; // someone else updated it: re-read and re-apply
      }
    }
    return undefined;
  }

  async changes(): Promise<readonly ThresholdChange[]> {
    return (await getJson<StoredLearner>(this.kv, KEY))?.value.changes ?? [];
  }
}
