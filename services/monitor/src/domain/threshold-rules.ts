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
