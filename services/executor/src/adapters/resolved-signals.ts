import { JsonKv, recordRetentionMs, type KvBucket } from '@mapek/messaging';

/** The key that marks an incident's signal resolved. */
export const resolvedKey = (incidentId: string) => `resolved.${incidentId}`;

/**
 * The incidents whose signal was resolved before a remedy (`incident.resolved`), in the executor's
 * KV bucket (`resolved.<incidentId>`, kept as long as an execution record): the handler marks them,
 * and every replica's ExecutionService asks before it starts a plan of theirs (`refuseIfResolved`)
 * and before each step (the symptom check).
 */
export class ResolvedSignals {
  private readonly resolved: JsonKv<boolean>;

  constructor(kv: KvBucket) {
    this.resolved = new JsonKv(kv);
  }

  async markResolved(incidentId: string): Promise<void> {
    await this.resolved.put(resolvedKey(incidentId), true, { ttlMs: recordRetentionMs });
  }

  async isResolved(incidentId: string): Promise<boolean> {
    return (await this.resolved.get(resolvedKey(incidentId)))?.value === true;
  }
}
