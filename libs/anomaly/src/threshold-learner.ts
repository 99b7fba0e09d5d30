import { InvalidAnomalyConfigError } from './anomaly.errors.js';

/** Why a series' threshold changed, as a wire value. */
export const ThresholdChangeReason = {
  /** The remedy did nothing and the problem did not come back: the alarm was noise. */
  falseAlarm: 'false_alarm',
  /** The problem came back after the remedy: alarm earlier next time. */
  recurred: 'recurred',
  /** A problem was found that raised no alarm. */
  missed: 'missed',
} as const;
export type ThresholdChangeReason = (typeof ThresholdChangeReason)[keyof typeof ThresholdChangeReason];

/** What happened after an alarm on a series. */
export interface AlarmOutcome {
  readonly series: string;
  /** Epoch milliseconds. */
  readonly time: number;
  readonly remedyEffective: boolean;
  readonly recurred: boolean;
}

/** One recorded change of a series' threshold. */
export interface ThresholdChange {
  readonly series: string;
  readonly old: number;
  readonly new: number;
  readonly reason: ThresholdChangeReason;
  readonly time: number;
}

/** Bounds and step of learned thresholds, in standard deviations. */
export interface ThresholdLearnerConfig {
  readonly initial: number;
  readonly min: number;
  readonly max: number;
  /** Added on a false alarm, subtracted on a recurrence or a miss. */
  readonly step: number;
}

export const defaultThresholdLearnerConfig: ThresholdLearnerConfig = { initial: 2.0, min: 1.5, max: 4.0, step: 0.25 };

/** Learned thresholds as plain JSON, for checkpointing. */
export interface ThresholdLearnerState {
  readonly thresholds: Readonly<Record<string, number>>;
}

/**
 * Per-series alarm thresholds that adapt from outcomes, within bounds. A false alarm (remedy
 * ineffective, no recurrence) makes the series less sensitive; a recurrence or a missed problem
 * makes it more sensitive. A confirmed alarm (remedy worked, no recurrence) changes nothing.
 * Every change is returned as a record for the audit trail.
 */
export class ThresholdLearner {
  private readonly thresholds = new Map<string, number>();

  constructor(
    private readonly config: ThresholdLearnerConfig = defaultThresholdLearnerConfig,
    state?: ThresholdLearnerState,
  ) {
    if (!(config.min <= config.initial && config.initial <= config.max && config.step > 0)) {
      throw new InvalidAnomalyConfigError('threshold bounds must satisfy min <= initial <= max and step > 0');
    }
    for (const [series, value] of Object.entries(state?.thresholds ?? {})) this.thresholds.set(series, value);
  }

  /** The series' current threshold in standard deviations. */
  thresholdFor(series: string): number {
    return this.thresholds.get(series) ?? this.config.initial;
  }

  /** Learns from an alarm's outcome; returns the change, or undefined when nothing changed. */
  recordOutcome(outcome: AlarmOutcome): ThresholdChange | undefined {
    if (outcome.recurred) return this.adjust(outcome.series, -this.config.step, ThresholdChangeReason.recurred, outcome.time);
    if (!outcome.remedyEffective) return this.adjust(outcome.series, this.config.step, ThresholdChangeReason.falseAlarm, outcome.time);
    return undefined;
  }

  /** Learns from a problem that raised no alarm on the series. */
  recordMissed(series: string, time: number): ThresholdChange | undefined {
    return this.adjust(series, -this.config.step, ThresholdChangeReason.missed, time);
  }

  snapshot(): ThresholdLearnerState {
    return { thresholds: Object.fromEntries(this.thresholds) };
  }

  private adjust(series: string, delta: number, reason: ThresholdChangeReason, time: number): ThresholdChange | undefined {
    const old = this.thresholdFor(series);
    const next = Math.round(Math.min(this.config.max, Math.max(this.config.min, old + delta)) * 1e9) / 1e9;
    if (next === old) return undefined;
    this.thresholds.set(series, next);
    return { series, old, new: next, reason, time };
  }
}
