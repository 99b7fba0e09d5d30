import type { JetStreamClient } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';

export type { KV, KvEntry } from '@nats-io/kv';

export interface KvOptions {
  readonly replicas: number;
  /** Whole-bucket max age (nats-server 2.9 has no per-key TTL). */
  readonly ttlMs?: number;
  readonly history?: number;
}

/** Opens (creating if needed) a KV bucket; replicas of a service share it. */
export async function openKv(js: JetStreamClient, bucket: string, options: KvOptions): Promise<KV> {
  const kvm = new Kvm(js);
  return kvm.create(bucket, {
    replicas: options.replicas,
    history: options.history ?? 1,
    ...(options.ttlMs ? { ttl: options.ttlMs } : {}),
  });
}

/** Reads and parses a JSON value, or undefined when the key is absent or deleted. */
export async function getJson<T>(kv: KV, key: string): Promise<{ value: T; revision: number } | undefined> {
  const entry = await kv.get(key);
  if (!entry || entry.operation !== 'PUT' || entry.length === 0) return undefined;
  return { value: entry.json<T>(), revision: entry.revision };
}

export function kvKey(value: string): string {
  return value.replace(/[^A-Za-z0-9_=.-]/g, '_');
}
