import { FLAG_KEY_PREFIX } from '@mapek/contracts';
import { kvEntryValue, type KvBucket } from '@mapek/messaging';
import type { Logger } from '@mapek/observability';
import type { RuntimeFlags } from '../domain/runtime-flags.js';

/**
 * Keeps the planner's {@link RuntimeFlags} current from the plans bucket: the flag records are
 * read once at start (so the first plan already sees them), then a KV watch applies every change
 * as it is written, by this replica or another (no read per plan).
 */
export class FlagsWatcher {
  private stopped = false;
  private stopWatch: (() => void) | undefined;

  constructor(
    private readonly kv: KvBucket,
    private readonly flags: RuntimeFlags,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    for await (const key of await this.kv.keys(`${FLAG_KEY_PREFIX}.>`)) {
      const entry = await this.kv.get(key);
      if (entry) this.flags.apply(key, entry.revision, kvEntryValue(entry));
    }
    this.logger.info({ flags: this.flags.size }, 'runtime flags loaded; watching for changes');
    void this.watch();
  }

  private async watch(): Promise<void> {
    while (!this.stopped) {
      try {
        const updates = await this.kv.watch({ key: `${FLAG_KEY_PREFIX}.>` });
        this.stopWatch = () => updates.stop();
        for await (const entry of updates) this.flags.apply(entry.key, entry.revision, kvEntryValue(entry));
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
