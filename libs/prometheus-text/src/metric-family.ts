/** The metric types of the text exposition format 0.0.4. */
export const MetricType = {
  counter: 'counter',
  gauge: 'gauge',
  histogram: 'histogram',
  summary: 'summary',
  untyped: 'untyped',
} as const;
export type MetricType = (typeof MetricType)[keyof typeof MetricType];

/** Label names to values, as own properties (a `__proto__` label is an own key too). */
export type Labels = Readonly<Record<string, string>>;

/** One exposed line: `metric{labels} value [timestampMs]`. */
export interface Sample {
  /** The name on the line, e.g. `http_request_duration_seconds_bucket`. */
  readonly metric: string;
  readonly labels: Labels;
  /** NaN, +Inf and -Inf are kept as the JavaScript numbers. */
  readonly value: number;
  /** Milliseconds since the epoch, when the line carries one. */
  readonly timestampMs?: number;
}

/** All samples under one `# TYPE`; a histogram family holds its `_bucket`, `_sum` and `_count` lines. */
export interface MetricFamily {
  readonly name: string;
  readonly type: MetricType;
  /** Empty when there is no `# HELP` line. */
  readonly help: string;
  readonly samples: readonly Sample[];
}

/** A sample with the family it belongs to, for callers that want one flat list. */
export interface FlatSample extends Sample {
  readonly family: string;
  readonly type: MetricType;
}
