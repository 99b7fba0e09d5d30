import type { CauseKind } from '@mapek/contracts';
import type { ActionStats } from '../domain/plan-builder.js';

/** Where statistics come from: knowledge's query (see KnowledgeClient). */
export interface StatsSource {
  stats(cause: CauseKind): Promise<Map<string, ActionStats>>;
}

export interface KnowledgeStatsCacheOptions {
  /** The causes planned for (the rules' causes): fetched at start and refreshed every `refreshMs`. */
  readonly causes: readonly CauseKind[];
  /** 0 turns the cache off: every plan asks knowledge and waits for it. */
  readonly refreshMs: number;
  readonly now?: () => number;
  /** A background refresh failed for these causes (their entries stay; a plan asks again once one is too old). Once per round. */
  readonly onRefreshError?: (causes: readonly CauseKind[], error: unknown) => void;
}

interface Entry {
  readonly at: number;
  readonly stats: Map<string, ActionStats>;
}

/**
 * Knowledge's outcome statistics, kept per cause and refreshed in the background, so a plan
 * does not wait for a query to knowledge (a round trip and a database read: 5–20 ms, more under
 * load) on the loop's hot path. What it trades: a plan sees an outcome stored up to `refreshMs`
 * (plus one query) after knowledge has it. An entry older than three refresh periods (knowledge
 * was unreachable) is not trusted: the plan asks knowledge and waits, and only if that fails
 * plans with the stale entry, which beats the priors.
 */
export class KnowledgeStatsCache implements StatsSource {
  private readonly entries = new Map<CauseKind, Entry>();
  private readonly refreshing = new Set<CauseKind>();
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly source: StatsSource,
    private readonly options: KnowledgeStatsCacheOptions,
  ) {
    this.now = options.now ?? (() => Date.now());
  }

  /** Fetches every cause now (without waiting) and then every `refreshMs`. */
  start(): void {
    if (this.options.refreshMs <= 0 || this.timer) return;
    this.refreshAll();
    this.timer = setInterval(() => this.refreshAll(), this.options.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async stats(cause: CauseKind): Promise<Map<string, ActionStats>> {
    const entry = this.entries.get(cause);
    if (entry && this.options.refreshMs > 0 && this.now() - entry.at <= 3 * this.options.refreshMs) return entry.stats;
    try {
      return await this.fetch(cause);
    } catch (error) {
      if (entry) return entry.stats;
      throw error;
    }
  }

  private refreshAll(): void {
    const round = [...new Set(this.options.causes)].filter((cause) => !this.refreshing.has(cause));
    const failed: CauseKind[] = [];
    let lastError: unknown;
    void Promise.all(
      round.map(async (cause) => {
        this.refreshing.add(cause);
        try {
          await this.fetch(cause);
        } catch (error) {
          failed.push(cause);
          lastError = error;
        } finally {
          this.refreshing.delete(cause);
        }
      }),
    ).then(() => {
      if (failed.length > 0) this.options.onRefreshError?.(failed, lastError);
    });
  }

  private async fetch(cause: CauseKind): Promise<Map<string, ActionStats>> {
    const asked = this.now();
    const stats = await this.source.stats(cause);
    const known = this.entries.get(cause);
    // A slow answer must not overwrite a newer one.
    if (!known || known.at <= asked) this.entries.set(cause, { at: asked, stats });
    return stats;
  }
}
