import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  breaksThreshold,
  defaultThresholdRules,
  matchesRuleLabels,
  ruleFileSchema,
  type Sample,
  type Severity,
  type ThresholdRule,
} from '@mapek/contracts';

// The rules themselves live in libs/contracts: an embedded agent applies the same ones to its own gauges.
export { comparisonSchema, ruleFileSchema, thresholdRuleSchema, type ThresholdRule } from '@mapek/contracts';

/** Defaults from the reference self-healing server (002), on the gauges libs/agent exposes. */
export const defaultRules: readonly ThresholdRule[] = defaultThresholdRules;

export function loadRules(path: string | undefined): ThresholdRule[] {
  if (!path) return [...defaultRules];
  const parsed = ruleFileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`rules file ${path} is invalid: ${z.prettifyError(parsed.error)}`);
  return parsed.data.rules;
}

export interface Violation {
  readonly rule: ThresholdRule;
  readonly sample: Sample;
  readonly severity: Severity;
}

/** Every (rule, sample) pair where the reading breaks the rule. NaN never violates. */
export function evaluateRules(rules: readonly ThresholdRule[], samples: readonly Sample[]): Violation[] {
  const violations: Violation[] = [];
  for (const rule of rules) {
    for (const sample of samples) {
      if (sample.metric !== rule.metric || !matchesRuleLabels(rule, sample.labels)) continue;
      if (breaksThreshold(rule.op, sample.value, rule.threshold)) violations.push({ rule, sample, severity: rule.severity });
    }
  }
  return violations;
}

/** One violating series of a rule: the rule, and the sample's labels (in canonical order). */
function seriesKey({ rule, sample }: Violation): string {
  return `${rule.name}\u0000${rule.metric}\u0000${JSON.stringify(sample.labels)}`;
}

/**
 * Holds back the violations of rules with a `forMs` (Prometheus' `for`) until every scrape of
 * their target for that long found them: per target, when each violating series (rule and
 * labels) started violating. A scrape that finds a series within its rule forgets it, and a
 * failed scrape forgets the target's (it could not tell), so the time counts again from the next
 * violating reading. Kept in memory: a monitor that restarts counts again, from its first scrape.
 */
export class SustainedViolations {
  private readonly since = new Map<string, Map<string, number>>();

  /** The violations of one scrape of `target` at `now` that are due: those of rules without `forMs`, and those broken for long enough. */
  due(target: string, violations: readonly Violation[], now: number): readonly Violation[] {
    const previous = this.since.get(target);
    if (previous === undefined && violations.every((violation) => violation.rule.forMs <= 0)) return violations;
    const current = new Map<string, number>();
    const due: Violation[] = [];
    for (const violation of violations) {
      if (violation.rule.forMs <= 0) {
        due.push(violation);
        continue;
      }
      const key = seriesKey(violation);
      const started = previous?.get(key) ?? now;
      current.set(key, started);
      if (now - started >= violation.rule.forMs) due.push(violation);
    }
    if (current.size > 0) this.since.set(target, current);
    else this.since.delete(target);
    return due;
  }

  /** The target's scrape failed, or it is no longer watched: what was pending starts again. */
  forget(target: string): void {
    this.since.delete(target);
  }
}
