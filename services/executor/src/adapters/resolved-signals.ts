import { getJson, recordRetentionMs, type KvBucket } from '@mapek/messaging';

/** The key that marks an incident's signal resolved. */
export const resolvedKey = (incidentId: string) => `resolved.${incidentId}`;

/**
 * The incidents whose signal was resolved before a remedy (`incident.resolved`), in the executor's
 * KV bucket (`resolved.<incidentId>`, kept as long as an execution record), so that every replica
 * refuses to start a plan of theirs.
 */
export class ResolvedSignals {
  constructor(private readonly kv: KvBucket) {}

  async markResolved(incidentId: string): Promise<void> {
    await this.kv.put(resolvedKey(incidentId), JSON.stringify(true), { ttlMs: recordRetentionMs });
  }

  /**
   * Whether a plan of this incident must not start: its signal was resolved and its execution has
   * no record yet. One that has started runs on (the executor re-reads the target before each step).
   */
  async refusesToStart(incidentId: string, executionId: string): Promise<boolean> {
    const [resolved, started] = await Promise.all([
      getJson<boolean>(this.kv, resolvedKey(incidentId)),
      getJson<unknown>(this.kv, `exec.${executionId}`),
    ]);
    return resolved?.value === true && started === undefined;
  }
}
