import { GuardrailVerdict, PlanRejectionCode, PlanStatus, type PlanRecordV1 } from '@mapek/contracts';

export { PlanStatus } from '@mapek/contracts';
export type PlanRecord = PlanRecordV1;

/** Applies an operator's approval: distinct approvers count, the plan is approved when enough have. */
export function approve(record: PlanRecord, actor: string, now: string): PlanRecord {
  if (record.status !== PlanStatus.pending) return record;
  const approvedBy = record.plan.approvedBy.includes(actor) ? record.plan.approvedBy : [...record.plan.approvedBy, actor];
  const enough = approvedBy.length >= Math.max(1, record.plan.requiredApprovals);
  return {
    ...record,
    plan: { ...record.plan, approvedBy },
    status: enough ? PlanStatus.approved : PlanStatus.pending,
    ...(enough ? { decidedAt: now } : {}),
  };
}

export function reject(record: PlanRecord, actor: string, reason: string | undefined, now: string): PlanRecord {
  if (record.status !== PlanStatus.pending) return record;
  return {
    ...record,
    status: PlanStatus.rejected,
    rejectedBy: actor,
    decidedAt: now,
    plan: { ...record.plan, reason: reason ?? `rejected by ${actor}` },
  };
}

/** Who a plan cancelled by the planner itself is rejected by. */
export const PLANNER_ACTOR = 'planner';

/**
 * Cancels a plan that has not started because its incident's signal is gone (`incident.resolved`):
 * mapek never acts on a resolved signal. Only a pending plan can be cancelled here; an approved one
 * is the executor's to refuse if it has not started.
 */
export function cancelForResolvedSignal(record: PlanRecord, now: string): PlanRecord {
  if (record.status !== PlanStatus.pending) return record;
  return {
    ...record,
    status: PlanStatus.rejected,
    rejectedBy: PLANNER_ACTOR,
    decidedAt: now,
    plan: {
      ...record.plan,
      reason: 'cancelled: the signal was resolved at its source before the plan started',
      rejectionCode: PlanRejectionCode.signalResolved,
      // The decision record shows the check that stopped it, after the ones that let it wait.
      guardrails: [
        ...(record.plan.guardrails ?? []).slice(0, 19),
        {
          check: 'signal',
          verdict: GuardrailVerdict.hold,
          detail: 'resolved at its source (Alertmanager) before the plan started: cancelled, never run',
        },
      ],
    },
  };
}
