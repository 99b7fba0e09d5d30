import type { PlanV1 } from '@mapek/contracts';

export const PlanStatus = { pending: 'pending', approved: 'approved', rejected: 'rejected', expired: 'expired' } as const;
export type PlanStatus = (typeof PlanStatus)[keyof typeof PlanStatus];

/** A plan as the planner keeps it in KV (`plan.<planId>`); the gateway reads pending ones. */
export interface PlanRecord {
  readonly plan: PlanV1;
  readonly status: PlanStatus;
  readonly target: string;
  readonly incidentId?: string;
  readonly analysisEventId: string;
  readonly createdAt: string;
  readonly decidedAt?: string;
  readonly rejectedBy?: string;
}

/** Applies an operator's approval: distinct approvers count, the plan is approved when enough have. */
export function approve(record: PlanRecord, actor: string, now: string): PlanRecord {
  if (record.status !== PlanStatus.pending) return record;
  const approvedBy = record.plan.approvedBy.includes(actor) ? record.plan.approvedBy : [...record.plan.approvedBy, actor];
  const enough = approvedBy.length >= Math.max(1, record.plan.requiredApprovals);
  return { ...record, plan: { ...record.plan, approvedBy }, status: enough ? PlanStatus.approved : PlanStatus.pending, ...(enough ? { decidedAt: now } : {}) };
}

export function reject(record: PlanRecord, actor: string, reason: string | undefined, now: string): PlanRecord {
  if (record.status !== PlanStatus.pending) return record;
  return { ...record, status: PlanStatus.rejected, rejectedBy: actor, decidedAt: now, plan: { ...record.plan, reason: reason ?? `rejected by ${actor}` } };
}
