import { JsonKv, recordRetentionMs, type KvBucket } from '@mapek/messaging';

/** The key that marks an incident's signal resolved. */
export const resolvedKey = (incidentId: string) => `resolved.${incidentId}`;

/**
 * The incidents whose signal was resolved before a remedy (`incident.resolved`), in the executor's
 * KV bucket (`resolved.<incidentId>`, kept as long as an execution record), so that every replica
 * refuses to start a plan of theirs.
 */
export class ResolvedSignals {
  private readonly resolved: JsonKv<boolean>;
  /** Only whether an execution record exists is read, never its value. */
  private readonly executions: JsonKv<unknown>;

  constructor(kv: KvBucket) {
    this.resolved = new JsonKv(kv);
    this.executions = new JsonKv(kv);
  }

  async markResolved(incidentId: string): Promise<void> {
    await this.resolved.put(resolvedKey(incidentId), true, { ttlMs: recordRetentionMs });
  }

  /**
   * Whether a plan of this incident must not start: its signal was resolved and its execution has
   * no record yet. One that has started runs on (the executor re-reads the target before each step).
   */
  async refusesToStart(incidentId: string, executionId: string): Promise<boolean> {
    const [resolved, started] = await Promise.all([this.resolved.get(resolvedKey(incidentId)), this.executions.get(`exec.${executionId}`)]);
    return resolved?.value === true && started === undefined;
  }
}
