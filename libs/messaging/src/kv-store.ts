import type { JetStreamClient } from '@nats-io/jetstream';
import type { KV, KvEntry, KvWatchEntry, KvWatchOptions } from '@nats-io/kv';
import type { QueuedIterator } from '@nats-io/transport-node';
import { StreamMaxAgeMs, StreamName } from '@mapek/contracts';
import { SpanKind, inRecordedChildSpan, type Span } from '@mapek/observability';

export type { KV, KvEntry, KvWatchEntry, KvWatchOptions } from '@nats-io/kv';

/**
 * How long a KV record lives that makes a redelivered event a no-op (a plan per analysis, an
 * execution per approved plan, an incident's index entry): a day longer than the event stream
 * keeps the event that caused it, so no copy of that event can outlive the record.
 */
export const recordRetentionMs: number = StreamMaxAgeMs[StreamName.events] + 24 * 3600_000;

export interface KvWriteOptions {
  /**
   * The server removes the entry this long after the write (the `Nats-TTL` header, nats-server
   * 2.11+ per-message TTL; whole seconds, at least 1 s). The bucket must allow it
   * (`bucketSettings[bucket].entryTtl`). Without it the entry stays until overwritten or deleted.
   */
  readonly ttlMs?: number;
}

/** `Nats-TTL` of a duration: whole seconds, rounded up, at least the server's minimum of 1 s. */
export function natsTtl(ms: number): string {
  return `${Math.max(1, Math.ceil(ms / 1000))}s`;
}

/** What nats.js accepts as a key (the subject tokens of `$KV.<bucket>.<key>`, no wildcards). */
const validKey = /^[-/=.\w]+$/;

/**
 * One KV bucket of a service: reads and writes as nats.js KV does, and writes whose entry expires
 * on its own (`ttlMs`). nats.js can give a TTL only to `create`, so a `put` or `update` with one is
 * published to the key's subject directly, with the same optimistic-concurrency header `update`
 * sends (`Nats-Expected-Last-Subject-Sequence`).
 */
export class KvBucket {
  constructor(
    readonly kv: KV,
    private readonly js: JetStreamClient,
    /** The bucket's name (`BucketName`). */
    readonly name: string,
  ) {}

  get(key: string): Promise<KvEntry | null> {
    return this.kv.get(key);
  }

  keys(filter?: string): Promise<QueuedIterator<string>> {
    return this.kv.keys(filter);
  }

  /** The keys' latest values, then every change (an ordered consumer on the bucket's stream). */
  watch(options: KvWatchOptions = {}): Promise<QueuedIterator<KvWatchEntry>> {
    return this.kv.watch(options);
  }

  /** Writes the key only if it holds no value (absent, deleted or expired); fails otherwise. */
  create(key: string, value: string, options: KvWriteOptions = {}): Promise<number> {
    return options.ttlMs === undefined ? this.kv.create(key, value) : this.kv.create(key, value, natsTtl(options.ttlMs));
  }

  put(key: string, value: string, options: KvWriteOptions = {}): Promise<number> {
    return options.ttlMs === undefined ? this.kv.put(key, value) : this.publish(key, value, options.ttlMs);
  }

  /** Writes the key only if its latest revision is still `revision`; fails otherwise. */
  update(key: string, value: string, revision: number, options: KvWriteOptions = {}): Promise<number> {
    return options.ttlMs === undefined ? this.kv.update(key, value, revision) : this.publish(key, value, options.ttlMs, revision);
  }

  delete(key: string): Promise<void> {
    return this.kv.delete(key);
  }

  private async publish(key: string, value: string, ttlMs: number, revision?: number): Promise<number> {
    if (!validKey.test(key) || key.startsWith('.') || key.endsWith('.')) throw new Error(`invalid key: ${key}`);
    const ack = await this.js.publish(`$KV.${this.name}.${key}`, value, {
      ttl: natsTtl(ttlMs),
      ...(revision !== undefined ? { expect: { lastSubjectSequence: revision } } : {}),
    });
    return ack.seq;
  }
}

/** An entry's JSON value (from a get or a watch), or undefined when it is a delete, a purge, empty or not JSON. */
export function kvEntryValue(entry: KvEntry): unknown {
  if (entry.operation !== 'PUT' || entry.length === 0) return undefined;
  try {
    return entry.json<unknown>();
  } catch {
    return undefined;
  }
}

/** Reads and parses a JSON value, or undefined when the key is absent, deleted or expired. */
export async function getJson<T>(kv: Pick<KV, 'get'>, key: string): Promise<{ value: T; revision: number } | undefined> {
  const entry = await kv.get(key);
  if (!entry || entry.operation !== 'PUT' || entry.length === 0) return undefined;
  return { value: entry.json<T>(), revision: entry.revision };
}

export function kvKey(value: string): string {
  return value.replace(/[^A-Za-z0-9_=.-]/g, '_');
}

/**
 * True when a KV `create` or `update` lost a compare-and-set (a `create` is one against "no value"): the key was written since it was
 * read (JetStream API error 10071 "wrong last sequence", or 10164 when the sequence is unknown).
 * Duck-typed on the numeric code, never on the message text.
 */
export function isKvConflict(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return code === 10071 || code === 10164;
}

/** A value read from KV with the revision to compare against when writing it back. */
export interface Versioned<T> {
  readonly value: T;
  readonly revision: number;
}

/** Checks a stored value's shape (a zod schema fits); without one the JSON is trusted as `T`. */
export interface ValueSchema<T> {
  parse(value: unknown): T;
}

/** The attributes of a KV span: the bucket, the operation and the key (keys name targets and ids, never secrets). */
export const KvAttribute = {
  system: 'db.system.name',
  operation: 'db.operation.name',
  bucket: 'db.collection.name',
  key: 'mapek.kv.key',
  revision: 'mapek.kv.revision',
  conflict: 'mapek.kv.conflict',
} as const;

/** `db.system.name` of KV spans: no standard value exists for NATS KV. */
const KV_SYSTEM = 'nats_kv';

/**
 * The values of one kind in a KV bucket, as JSON: reads give the value and its revision, writes
 * are create-if-absent or compare-and-set, so concurrent writers (replicas, redeliveries) never
 * overwrite each other silently.
 *
 * Each read and write is a CLIENT span `kv <operation> <bucket>` under a recorded parent (the
 * handler's `process` span): the records of the loop (plans, executions, incidents, leases) show in
 * an incident's trace. With tracing off it costs a context lookup, and nothing makes a root trace.
 */
export class JsonKv<T> {
  constructor(
    private readonly bucket: Pick<KvBucket, 'get' | 'create' | 'update' | 'put' | 'name'>,
    private readonly schema?: ValueSchema<T>,
  ) {}

  private traced<R>(operation: string, key: string, fn: (span: Span | undefined) => Promise<R>): Promise<R> {
    return inRecordedChildSpan(
      `kv ${operation} ${this.bucket.name}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          [KvAttribute.system]: KV_SYSTEM,
          [KvAttribute.operation]: operation,
          [KvAttribute.bucket]: this.bucket.name,
          [KvAttribute.key]: key,
        },
      },
      fn,
    );
  }

  /** The value and its revision, or undefined when the key is absent, deleted or expired. */
  get(key: string): Promise<Versioned<T> | undefined> {
    return this.traced('get', key, async (span) => {
      const entry = await this.bucket.get(key);
      if (!entry || entry.operation !== 'PUT' || entry.length === 0) return undefined;
      span?.setAttribute(KvAttribute.revision, entry.revision);
      const raw: unknown = entry.json();
      return { value: this.schema ? this.schema.parse(raw) : (raw as T), revision: entry.revision };
    });
  }

  /**
   * Writes `value` if the key is still at `revision` (undefined: the key holds no value yet).
   * Resolves false when another writer came first; other failures are thrown.
   */
  async compareAndSet(key: string, value: T, revision: number | undefined, options: KvWriteOptions = {}): Promise<boolean> {
    return (await this.compareAndSetRevision(key, value, revision, options)) !== undefined;
  }

  /**
   * {@link compareAndSet}, resolving to the revision written (undefined when another writer came
   * first): a writer that goes on to change the value again needs no read in between.
   */
  compareAndSetRevision(key: string, value: T, revision: number | undefined, options: KvWriteOptions = {}): Promise<number | undefined> {
    return this.traced(revision === undefined ? 'create' : 'update', key, async (span) => {
      try {
        const written =
          revision === undefined
            ? await this.bucket.create(key, JSON.stringify(value), options)
            : await this.bucket.update(key, JSON.stringify(value), revision, options);
        span?.setAttribute(KvAttribute.revision, written);
        return written;
      } catch (error) {
        if (!isKvConflict(error)) throw error;
        // Losing to another writer is the protocol working, not a failed span.
        span?.setAttribute(KvAttribute.conflict, true);
        return undefined;
      }
    });
  }

  /** The key's value, writing `initial` first when it holds none; whoever wrote first wins. */
  async createOrGet(key: string, initial: T, options: KvWriteOptions = {}): Promise<Versioned<T> & { readonly created: boolean }> {
    for (;;) {
      const current = await this.get(key);
      if (current) return { ...current, created: false };
      if (await this.compareAndSet(key, initial, undefined, options)) {
        const written = await this.get(key);
        if (written) return { ...written, created: true };
      }
    }
  }

  /** Writes unconditionally (a value only its one owner writes). */
  put(key: string, value: T, options: KvWriteOptions = {}): Promise<number> {
    return this.traced('put', key, async (span) => {
      const written = await this.bucket.put(key, JSON.stringify(value), options);
      span?.setAttribute(KvAttribute.revision, written);
      return written;
    });
  }

  /**
   * Read, change, compare-and-set, again on a conflict (up to `attempts` times). `change` returns
   * undefined to leave the value as it is. Resolves to what was written, or undefined when
   * nothing was (no change, or every attempt lost to another writer).
   */
  async update(
    key: string,
    change: (current: Versioned<T> | undefined) => T | undefined,
    attempts = 5,
    options: KvWriteOptions = {},
  ): Promise<T | undefined> {
    for (let attempt = 0; attempt < attempts; attempt++) {
      const current = await this.get(key);
      const next = change(current);
      if (next === undefined) return undefined;
      if (await this.compareAndSet(key, next, current?.revision, options)) return next;
    }
    return undefined;
  }
}
