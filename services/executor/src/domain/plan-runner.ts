import { deriveEventId, ExecutionStatus, StepStatus, type PlanStep, type SafetyCheck, type StepResult } from '@mapek/contracts';
import type { ExecutionRecord } from './execution-record.js';

export interface StepOutcome {
  readonly ok: boolean;
  readonly detail: string;
  readonly errorCode?: string;
  /** The symptom was gone when the target was re-read: nothing was done, and nothing after it is needed. */
  readonly notNeeded?: boolean;
  /** The safety checks run before the step (its decision record). */
  readonly checks?: readonly SafetyCheck[];
}

/** What the runner needs from the outside world; the handler wires effectors, retries and KV in. */
export interface RunnerPorts {
  runStep(step: PlanStep, index: number, requestId: string, rollback: boolean): Promise<StepOutcome>;
  /** What undoes a completed step: the plan's rollback, or else the inverse its effector's capability declares. */
  inverseOf(step: PlanStep): PlanStep['rollback'];
  checkpoint(record: ExecutionRecord): Promise<void>;
  now(): Date;
}

function withStep(record: ExecutionRecord, index: number, patch: Partial<StepResult>): ExecutionRecord {
  const steps = record.steps.map((step) => (step.index === index ? { ...step, ...patch } : step));
  return { ...record, steps };
}

/**
 * Runs a plan's steps in order, checkpointing after each, so a replica that picks up a crashed
 * execution resumes after the last completed step (the agent is idempotent on the request id,
 * which is derived from the execution and step, so a step cut off mid-flight runs once).
 * On a failed step, the completed steps are rolled back in reverse order.
 */
export async function runPlan(start: ExecutionRecord, ports: RunnerPorts): Promise<ExecutionRecord> {
  let record: ExecutionRecord = { ...start, status: ExecutionStatus.inProgress };
  await ports.checkpoint(record);
  const steps = record.plan.steps;
  for (let index = 0; index < steps.length; index++) {
    const step = steps[index];
    if (!step) continue;
    if (record.steps[index]?.status === ExecutionStatus.completed || record.steps[index]?.status === StepStatus.notNeeded) continue;
    const skipped = record.steps.find((result) => result.status === StepStatus.notNeeded);
    if (skipped) {
      // The trouble was gone before an earlier step: the rest of the remedy is not needed either.
      record = withStep(record, index, {
        status: StepStatus.notNeeded,
        detail: `not needed: the symptom was gone before step ${skipped.index}`,
      });
      await ports.checkpoint(record);
      continue;
    }
    record = withStep(record, index, { status: ExecutionStatus.inProgress, startedAt: ports.now().toISOString() });
    await ports.checkpoint(record);
    let result: StepOutcome;
    if (record.plan.dryRun) {
      result = { ok: true, detail: `dry run: ${step.action} on ${step.target} not actuated` };
    } else {
      result = await ports.runStep(step, index, deriveEventId(record.executionId, `step-${index}`), false);
    }
    record = withStep(record, index, {
      status: result.notNeeded ? StepStatus.notNeeded : result.ok ? ExecutionStatus.completed : ExecutionStatus.failed,
      finishedAt: ports.now().toISOString(),
      detail: result.detail,
      ...(result.errorCode ? { errorCode: result.errorCode } : {}),
    });
    if (result.checks && result.checks.length > 0) record = { ...record, checks: [...(record.checks ?? []), ...result.checks].slice(-200) };
    await ports.checkpoint(record);
    if (!result.ok) return rollBack(record, index, `step ${index} (${step.action}) failed: ${result.detail}`, ports);
  }
  record = { ...record, status: ExecutionStatus.completed, finishedAt: ports.now().toISOString() };
  await ports.checkpoint(record);
  return record;
}

async function rollBack(failed: ExecutionRecord, failedIndex: number, error: string, ports: RunnerPorts): Promise<ExecutionRecord> {
  let record = failed;
  let rolledBackAny = false;
  let rollbackFailed = false;
  for (let index = failedIndex - 1; index >= 0; index--) {
    const step = record.plan.steps[index];
    const inverse = step && ports.inverseOf(step);
    if (!step || !inverse || record.steps[index]?.status !== ExecutionStatus.completed) continue;
    const undo: PlanStep = { action: inverse.action, target: step.target, params: inverse.params, timeoutMs: step.timeoutMs };
    const result = await ports.runStep(undo, index, deriveEventId(record.executionId, `rollback-${index}`), true);
    rolledBackAny = rolledBackAny || result.ok;
    rollbackFailed = rollbackFailed || !result.ok;
    if (result.checks && result.checks.length > 0) record = { ...record, checks: [...(record.checks ?? []), ...result.checks].slice(-200) };
    record = withStep(record, index, {
      status: result.ok ? ExecutionStatus.rolledBack : ExecutionStatus.completed,
      detail: result.ok ? `rolled back: ${result.detail}` : `rollback failed: ${result.detail}`,
    });
    await ports.checkpoint(record);
  }
  record = {
    ...record,
    status: rolledBackAny && !rollbackFailed ? ExecutionStatus.rolledBack : ExecutionStatus.failed,
    finishedAt: ports.now().toISOString(),
    error: rollbackFailed ? `${error}; a rollback failed` : error,
  };
  await ports.checkpoint(record);
  return record;
}

export function initialSteps(steps: readonly PlanStep[]): StepResult[] {
  return steps.map((step, index) => ({ index, action: step.action, status: ExecutionStatus.pending }));
}
