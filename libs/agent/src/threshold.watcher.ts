import { breaksThreshold, matchesRuleLabels, type ThresholdRule } from '@mapek/contracts';

/** How the watcher reads one of the agent's own gauges. */
export interface GaugeReader {
  readonly metric: string;
  read(): number;
  /**
   * How often it is read, at most (ms). Cheap process readings every tick; the request-window
   * gauges, which sort the window, less often.
   */
  readonly everyMs?: number;
}

/** One rule broken by one reading, when the reading was taken. */
export interface Crossing {
  readonly rule: ThresholdRule;
  readonly value: number;
  readonly observedAt: Date;
}

export interface ThresholdWatcherOptions {
  readonly rules: readonly ThresholdRule[];
  readonly readers: readonly GaugeReader[];
  /** Receives each crossing once, in rule order; a rejection re-arms the rule for the next tick after `minIntervalMs`. */
  readonly onCrossing: (crossing: Crossing) => Promise<void>;
  /** How often the cheap gauges are read. Default 25 ms. */
  readonly intervalMs?: number;
  /** At most one crossing per rule this often (a value flapping around its threshold). Default 1000 ms. */
  readonly minIntervalMs?: number;
  /** A {@link ThresholdWatcher.poke} reads the gauges only if the last reading is this old. Default 5 ms. */
  readonly pokeIntervalMs?: number;
  readonly now?: () => number;
}

interface RuleState {
  readonly rule: ThresholdRule;
  readonly reader: GaugeReader;
  /** True until the rule is broken; a reading within the rule arms it again. */
  armed: boolean;
  lastFiredAt: number;
  /** When the readings started breaking the rule (they have broken it at every check since); undefined while within it. */
  breakingSince: number | undefined;
}

/**
 * Applies the monitor's threshold rules to the agent's own gauges on a short timer and reports a
 * crossing (within the rule → broken) the moment it sees it, so the loop need not wait for the
 * next scrape. Edge-triggered: a gauge that stays above its threshold is reported once (the
 * monitor's scrapes keep reporting it); it is reported again after it went back within the rule.
 * A rule with a `forMs` is reported once every check for that long has found it broken.
 * The timer is unref'd and, as Node timers do, fires as soon as a blocked event loop frees up, so
 * a fault that blocked the service (a large allocation) is reported right after it.
 * Rules on metrics the agent has no gauge for, or that match labels, are the monitor's alone.
 */
export class ThresholdWatcher {
  private readonly states: RuleState[];
  private readonly intervalMs: number;
  private readonly minIntervalMs: number;
  private readonly now: () => number;
  private readonly lastRead = new Map<GaugeReader, { at: number; value: number }>();
  private readonly pokeIntervalMs: number;
  private lastCheckAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ThresholdWatcherOptions) {
    this.intervalMs = options.intervalMs ?? 25;
    this.minIntervalMs = options.minIntervalMs ?? 1000;
    this.pokeIntervalMs = options.pokeIntervalMs ?? 5;
    this.now = options.now ?? (() => Date.now());
    const readers = new Map(options.readers.map((reader) => [reader.metric, reader]));
    this.states = options.rules.flatMap((rule) => {
      const reader = readers.get(rule.metric);
      return reader && matchesRuleLabels(rule, {})
        ? [{ rule, reader, armed: true, lastFiredAt: Number.NEGATIVE_INFINITY, breakingSince: undefined }]
        : [];
    });
  }

  /** The rules this agent can watch itself. */
  get rules(): ThresholdRule[] {
    return this.states.map((state) => state.rule);
  }

  start(): void {
    if (this.timer || this.states.length === 0) return;
    this.timer = setInterval(() => this.check(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Checks now, unless a check ran in the last `pokeIntervalMs`: called when the service has just
   * done something (served a request, changed its connections). A request that broke a rule (a
   * large allocation) is then reported as soon as it is answered, before the event loop serves
   * the requests that queued up meanwhile and fires the timer.
   */
  poke(): void {
    if (this.timer && this.now() - this.lastCheckAt >= this.pokeIntervalMs) this.check();
  }

  /** Reads the gauges that are due and reports new crossings; returns them (for tests). */
  check(): Crossing[] {
    const now = this.now();
    this.lastCheckAt = now;
    const crossings: Crossing[] = [];
    for (const state of this.states) {
      const value = this.value(state.reader, now);
      if (value === undefined) continue;
      if (!breaksThreshold(state.rule.op, value, state.rule.threshold)) {
        state.armed = true;
        state.breakingSince = undefined;
        continue;
      }
      state.breakingSince ??= now;
      if (now - state.breakingSince < state.rule.forMs) continue;
      if (!state.armed || now - state.lastFiredAt < this.minIntervalMs) continue;
      state.armed = false;
      state.lastFiredAt = now;
      const crossing = { rule: state.rule, value, observedAt: new Date(now) };
      crossings.push(crossing);
      this.options.onCrossing(crossing).catch(() => {
        // Not reported: try again once the minimum interval has passed, if the rule is still broken.
        state.armed = true;
      });
    }
    return crossings;
  }

  /** The reader's value, read now if due, else its last reading (undefined before the first or on a failed read). */
  private value(reader: GaugeReader, now: number): number | undefined {
    const last = this.lastRead.get(reader);
    if (last && reader.everyMs !== undefined && now - last.at < reader.everyMs) return last.value;
    let value: number;
    try {
      value = reader.read();
    } catch {
      return undefined;
    }
    if (!Number.isFinite(value)) return undefined;
    this.lastRead.set(reader, { at: now, value });
    return value;
  }
}
