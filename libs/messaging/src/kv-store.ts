import type { KV } from '@nats-io/kv';

export type { KV, KvEntry } from '@nats-io/kv';

/** Reads and parses a JSON value, or undefined when the key is absent or deleted. */
export async function getJson<T>(kv: KV, key: string): Promise<{ value: T; revision: number } | undefined> {
  const entry = await kv.get(key);
  if (!entry || entry.operation !== 'PUT' || entry.length === 0) return undefined;
  return { value: entry.json<T>(), revision: entry.revision };
}

export function kvKey(value: string): string {
  return value.replace(/[^A-Za-z0-9_=.-]/g, '_');
}
