import { breaksThreshold, type PrometheusRule, type Severity } from '@mapek/contracts';

/** One series of an instant query's answer: its labels and its value. */
export interface PromqlSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface PromqlViolation {
  readonly rule: PrometheusRule;
  /** The symptom's metric: the rule's `metric`, else its name (the analyzer reads the cause from it). */
  readonly metric: string;
  readonly series: PromqlSeries;
  readonly severity: Severity;
}

/**
 * Every series of the answer that breaks the rule's comparison, each its own violation (one per
 * instance, pod, …). NaN never violates; an empty answer (nothing matched) is no violation.
 */
export function evaluatePromqlRule(rule: PrometheusRule, answer: readonly PromqlSeries[]): PromqlViolation[] {
  return answer
    .filter((series) => breaksThreshold(rule.op, series.value, rule.threshold))
    .map((series) => ({ rule, metric: rule.metric ?? rule.name, series, severity: rule.severity }));
}
