import { z } from 'zod';

export const Severity = { critical: 'critical', warning: 'warning', info: 'info' } as const;
export type Severity = (typeof Severity)[keyof typeof Severity];
export const severitySchema = z.enum([Severity.critical, Severity.warning, Severity.info]);

export const labelsSchema = z.record(z.string(), z.string());
export const targetSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_-]+$/, 'target must match [A-Za-z0-9_-]+');
export const uuidSchema = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be a lowercase UUID');
export const isoTimeSchema = z.iso.datetime({ offset: true });

/** What a root cause says is wrong; the planner's rules are keyed by it. */
export const CauseKind = {
  memoryLeak: 'memory_leak',
  cpuOverload: 'cpu_overload',
  connectionExhaustion: 'connection_exhaustion',
  errorRate: 'error_rate',
  latency: 'latency',
  unavailable: 'unavailable',
  dependencyFailure: 'dependency_failure',
  anomaly: 'anomaly',
  unknown: 'unknown',
} as const;
export type CauseKind = (typeof CauseKind)[keyof typeof CauseKind];
export const causeKindSchema = z.enum(Object.values(CauseKind) as [CauseKind, ...CauseKind[]]);

export const ActionType = {
  scaleUp: 'scale_up',
  scaleDown: 'scale_down',
  restartService: 'restart_service',
  applyPolicy: 'apply_policy',
  bypassValidation: 'bypass_validation',
  throttleRequests: 'throttle_requests',
  activateEmergencyOverride: 'activate_emergency_override',
  rebalanceLoad: 'rebalance_load',
  updateConfiguration: 'update_configuration',
  collectGarbage: 'collect_garbage',
  clearCache: 'clear_cache',
  resetConnectionPool: 'reset_connection_pool',
  enableDegradedMode: 'enable_degraded_mode',
  resetCircuitBreaker: 'reset_circuit_breaker',
  escalate: 'escalate',
} as const;
export type ActionType = (typeof ActionType)[keyof typeof ActionType];
export const actionTypeSchema = z.enum(Object.values(ActionType) as [ActionType, ...ActionType[]]);

export const Priority = { critical: 'critical', high: 'high', medium: 'medium', low: 'low' } as const;
export type Priority = (typeof Priority)[keyof typeof Priority];
export const prioritySchema = z.enum([Priority.critical, Priority.high, Priority.medium, Priority.low]);

export const RiskLevel = { low: 'low', medium: 'medium', high: 'high' } as const;
export type RiskLevel = (typeof RiskLevel)[keyof typeof RiskLevel];
export const riskLevelSchema = z.enum([RiskLevel.low, RiskLevel.medium, RiskLevel.high]);

export const actionParamsSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
