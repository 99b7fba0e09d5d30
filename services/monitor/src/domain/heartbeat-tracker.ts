/**
 * When each target last reported in. A target is silent once its last report (or, before its
 * first one, the moment the monitor began to watch it) is older than its timeout, and stays so
 * until it reports again.
 */
export class HeartbeatTracker {
  private readonly lastSeen = new Map<string, number>();
  private readonly watchedSince = new Map<string, number>();

  /** Starts the clock for the targets now watched and forgets the others. */
  watch(targets: readonly string[], nowMs: number): void {
    const names = new Set(targets);
    for (const name of names) if (!this.watchedSince.has(name)) this.watchedSince.set(name, nowMs);
    for (const name of [...this.watchedSince.keys()]) {
      if (!names.has(name)) {
        this.watchedSince.delete(name);
        this.lastSeen.delete(name);
      }
    }
  }

  /** A heartbeat of `target` at `atMs`; an older one than already seen changes nothing. */
  record(target: string, atMs: number): void {
    if (atMs > (this.lastSeen.get(target) ?? Number.NEGATIVE_INFINITY)) this.lastSeen.set(target, atMs);
  }

  lastSeenAt(target: string): number | undefined {
    return this.lastSeen.get(target);
  }

  /** How long `target` has been silent when that is longer than `timeoutMs`; undefined while it reports in time. */
  silentFor(target: string, timeoutMs: number, nowMs: number): number | undefined {
    const since = this.lastSeen.get(target) ?? this.watchedSince.get(target);
    if (since === undefined) return undefined;
    const silence = nowMs - since;
    return silence > timeoutMs ? silence : undefined;
  }
}
