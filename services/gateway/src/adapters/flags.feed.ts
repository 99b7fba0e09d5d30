import { FLAG_KEY_PREFIX, flagRecordV1Schema, type FlagRecordV1 } from '@mapek/contracts';
import { getJson, type KvBucket, type KvEntry } from '@mapek/messaging';
import type { Logger } from '@mapek/observability';

/** A runtime flag as the API lists it: its key in the plans bucket and its record. */
export type FlagEntry = FlagRecordV1 & { readonly key: string };

/** A WebSocket frame: a flag record was written (`record`) or removed (`record: null`). */
export interface FlagFrame {
  readonly type: 'flag';
  readonly key: string;
  readonly record: FlagRecordV1 | null;
}

function recordOf(entry: KvEntry): FlagRecordV1 | null {
  if (entry.operation !== 'PUT' || entry.length === 0) return null;
  try {
    const parsed = flagRecordV1Schema.safeParse(entry.json<unknown>());
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * The runtime flags the planner keeps in its bucket, read for `GET /api/v1/flags` and watched for
 * the WebSocket: when the planner stores a change (an operator's, or its autonomy ladder's), every
 * connected console hears of it without asking.
 */
export class FlagsFeed {
  private readonly listeners = new Set<(frame: FlagFrame) => void>();
  private stopped = false;
  private stopWatch: (() => void) | undefined;

  constructor(
    private readonly kv: KvBucket,
    private readonly logger: Logger,
  ) {}

  async list(): Promise<FlagEntry[]> {
    const flags: FlagEntry[] = [];
    for await (const key of await this.kv.keys(`${FLAG_KEY_PREFIX}.>`)) {
      const entry = await getJson<unknown>(this.kv, key);
      const record = flagRecordV1Schema.safeParse(entry?.value);
      if (record.success) flags.push({ key, ...record.data });
    }
    return flags.sort((a, b) => a.key.localeCompare(b.key));
  }

  async get(key: string): Promise<FlagRecordV1 | undefined> {
    const record = flagRecordV1Schema.safeParse((await getJson<unknown>(this.kv, key))?.value);
    return record.success ? record.data : undefined;
  }

  subscribe(listener: (frame: FlagFrame) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    void this.watch();
  }

  private async watch(): Promise<void> {
    while (!this.stopped) {
      try {
        // Only changes from now on: a console reads the current flags over HTTP when it opens.
        const updates = await this.kv.watch({ key: `${FLAG_KEY_PREFIX}.>`, include: 'updates' });
        this.stopWatch = () => updates.stop();
        for await (const entry of updates) {
          const frame: FlagFrame = { type: 'flag', key: entry.key, record: recordOf(entry) };
          for (const listener of this.listeners) listener(frame);
        }
      } catch (error) {
        if (this.stopped) return;
        this.logger.warn({ err: error }, 'runtime flags watch ended; restarting it');
      }
      if (!this.stopped) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  stop(): void {
    this.stopped = true;
    this.stopWatch?.();
  }
}
