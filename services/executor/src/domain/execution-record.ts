import type { ExecutionStatus, OutcomeV1, PlanV1, StepResult } from '@mapek/contracts';

/** An execution as the executor checkpoints it in KV after every step (`exec.<executionId>`). */
export interface ExecutionRecord {
  readonly executionId: string;
  readonly plan: PlanV1;
  readonly target: string;
  readonly incidentId?: string;
  readonly approvedEventId: string;
  readonly status: ExecutionStatus;
  readonly steps: StepResult[];
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly error?: string;
  readonly outcome?: OutcomeV1;
}
