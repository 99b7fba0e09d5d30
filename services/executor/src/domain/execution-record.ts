import type { ExecutionStatus, OutcomeV1, PlanV1, SafetyCheck, StepResult } from '@mapek/contracts';

/**
 * What the executor runs: the part of a plan that matters once it is cleared. An approved plan
 * is one (the whole `PlanV1` is stored, as before); a manual command is a one-step plan whose
 * `planId` is the command id and whose cause is `unknown`.
 */
export type ExecutablePlan = Pick<PlanV1, 'planId' | 'cause' | 'steps' | 'dryRun'>;

/** The operator and command behind a manual execution (the reason stays in the sealed event). */
export interface CommandOrigin {
  readonly commandId: string;
  readonly actor: string;
}

/** An execution as the executor checkpoints it in KV after every step (`exec.<executionId>`). */
export interface ExecutionRecord {
  readonly executionId: string;
  readonly plan: ExecutablePlan;
  readonly target: string;
  readonly incidentId?: string;
  /** The event that started it: the `plan.approved` or the `command`. */
  readonly approvedEventId: string;
  /** Set when a manual command, not a plan, started it. */
  readonly command?: CommandOrigin;
  readonly status: ExecutionStatus;
  readonly steps: StepResult[];
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly error?: string;
  readonly outcome?: OutcomeV1;
  /** The safety checks before each step (the execution's decision record). */
  readonly checks?: readonly SafetyCheck[];
}
