import { getJson, kvKey, recordRetentionMs, type KvBucket } from '@mapek/messaging';
import type { AlertMemory } from '../domain/alertmanager-webhook.js';

/**
 * What the gateway remembers of each alert, in its own KV bucket (`mapek_gateway`, key
 * `alert.<fingerprint>`), shared by every replica: Alertmanager sends a firing alert again every
 * `repeat_interval`, long after JetStream's duplicate window, and it must stay one symptom. An
 * entry lives as long as an event record (8 days) from its last change.
 */
export class AlertMemoryStore {
  constructor(private readonly kv: KvBucket) {}

  async recall(fingerprint: string): Promise<AlertMemory | undefined> {
    return (await getJson<AlertMemory>(this.kv, this.key(fingerprint)))?.value;
  }

  async remember(fingerprint: string, memory: AlertMemory): Promise<void> {
    await this.kv.put(this.key(fingerprint), JSON.stringify(memory), { ttlMs: recordRetentionMs });
  }

  private key(fingerprint: string): string {
    return `alert.${kvKey(fingerprint)}`;
  }
}
