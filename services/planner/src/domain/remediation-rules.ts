import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { remediationRuleSchema, type RemediationRule } from '@mapek/contracts';

export { remediationRuleSchema, type RemediationCandidate, type RemediationRule } from '@mapek/contracts';

export const remediationFileSchema = z.strictObject({ rules: z.array(remediationRuleSchema).min(1) });

/** Built-in policies: what the reference self-healing server did for each fault, as declarative rules. */
export const defaultRemediationRules: RemediationRule[] = remediationFileSchema.parse({
  rules: [
    {
      name: 'memory-leak',
      cause: 'memory_leak',
      priority: 'critical',
      candidates: [
        { name: 'free-memory', prior: 0.9, steps: [{ action: 'clear_cache' }, { action: 'collect_garbage' }] },
        { name: 'collect-garbage', prior: 0.3, steps: [{ action: 'collect_garbage' }] },
        { name: 'restart', prior: 0.6, steps: [{ action: 'restart_service', timeoutMs: 60_000 }] },
      ],
    },
    {
      name: 'cpu-overload',
      cause: 'cpu_overload',
      priority: 'high',
      candidates: [
        {
          name: 'throttle',
          prior: 0.9,
          steps: [
            { action: 'throttle_requests', params: { max_rps: 2 }, rollback: { action: 'throttle_requests', params: { rollback: true } } },
          ],
        },
        { name: 'scale-up', steps: [{ action: 'scale_up', params: { replicas: 2 } }] },
      ],
    },
    {
      name: 'connection-exhaustion',
      cause: 'connection_exhaustion',
      priority: 'high',
      candidates: [
        { name: 'reset-pool', prior: 0.8, steps: [{ action: 'reset_connection_pool' }] },
        { name: 'reset-breaker-and-pool', steps: [{ action: 'reset_circuit_breaker' }, { action: 'reset_connection_pool' }] },
      ],
    },
    {
      name: 'error-rate',
      cause: 'error_rate',
      priority: 'high',
      candidates: [
        {
          name: 'degrade-and-reset-breaker',
          prior: 0.9,
          steps: [
            { action: 'enable_degraded_mode', rollback: { action: 'enable_degraded_mode', params: {} } },
            { action: 'reset_circuit_breaker' },
          ],
        },
        { name: 'degrade', prior: 0.6, steps: [{ action: 'enable_degraded_mode' }] },
        { name: 'reset-breaker', steps: [{ action: 'reset_circuit_breaker' }] },
      ],
    },
    {
      name: 'latency',
      cause: 'latency',
      priority: 'medium',
      candidates: [
        { name: 'degrade', prior: 0.85, steps: [{ action: 'enable_degraded_mode' }] },
        { name: 'throttle', steps: [{ action: 'throttle_requests', params: { rate_limit: 100 } }] },
      ],
    },
    {
      name: 'unavailable',
      cause: 'unavailable',
      priority: 'critical',
      candidates: [{ name: 'restart', steps: [{ action: 'restart_service', timeoutMs: 60_000 }] }],
    },
    {
      name: 'dependency-failure',
      cause: 'dependency_failure',
      priority: 'critical',
      candidates: [{ name: 'restart-dependency', steps: [{ action: 'restart_service', timeoutMs: 60_000 }] }],
    },
  ],
}).rules;

export function loadRemediationRules(path: string | undefined): RemediationRule[] {
  if (!path) return defaultRemediationRules;
  const parsed = remediationFileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`remediation rules ${path} are invalid: ${z.prettifyError(parsed.error)}`);
  return parsed.data.rules;
}
