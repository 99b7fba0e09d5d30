/** Severities of a symptom, as on the wire. */
export const Severity = {
  critical: 'critical',
  warning: 'warning',
  info: 'info',
} as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

/**
 * The minimal shape of a symptom the analysis needs. Structural on purpose: the analyzer service
 * maps its wire events onto it, and this lib depends on no contract package.
 */
export interface Symptom {
  readonly id: string;
  /** The monitored thing, e.g. a service or `postgres`. */
  readonly target: string;
  /** A part of the target, e.g. a pod, a table, an endpoint. */
  readonly component?: string;
  readonly metric: string;
  readonly severity: Severity;
  readonly value: number;
  readonly threshold?: number;
  /** Epoch milliseconds. */
  readonly time: number;
}

/** Relative weight of each severity when symptoms are weighed against each other. */
export const severityWeight: Readonly<Record<Severity, number>> = {
  critical: 1,
  warning: 0.6,
  info: 0.25,
};
