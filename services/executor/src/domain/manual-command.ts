import { CauseKind, CommandRejectReason, deriveEventId, type CommandSpecV1, type CommandV1 } from '@mapek/contracts';
import type { ExecutablePlan } from './execution-record.js';

/** A manual command the executor refuses for good (sealed wrongly, not at all, or inconsistent). */
export class CommandRejectedError extends Error {
  override readonly name = 'CommandRejectedError';
  readonly retryable = false;
  constructor(
    readonly code: CommandRejectReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The execution of a command event: derived from the event id, so a redelivered command runs once. */
export function commandExecutionId(commandEventId: string): string {
  return deriveEventId(commandEventId, 'execution');
}

/**
 * The clear audit fields are what knowledge and the live feed show; the sealed spec is what runs.
 * Both come from the gateway under one signature, so a disagreement is a bug or a forgery: refuse.
 */
export function assertSpecMatchesAudit(data: Pick<CommandV1, 'actor' | 'action' | 'dryRun'>, spec: CommandSpecV1): void {
  const differing = (['actor', 'action', 'dryRun'] as const).filter((field) => data[field] !== spec[field]);
  if (differing.length > 0) {
    throw new CommandRejectedError(
      CommandRejectReason.mismatch,
      `the sealed command disagrees with its audit fields (${differing.join(', ')})`,
    );
  }
}

/**
 * A manual command as a one-step plan: `planId` is the command id (so its execution and outcome
 * events name the command), the cause is `unknown` (an operator's judgement, not an analysis),
 * and there is nothing to roll back.
 */
export function commandPlan(commandId: string, target: string, spec: CommandSpecV1, stepTimeoutMs: number): ExecutablePlan {
  return {
    planId: commandId,
    cause: CauseKind.unknown,
    dryRun: spec.dryRun,
    steps: [{ action: spec.action, target, params: spec.params, timeoutMs: stepTimeoutMs }],
  };
}
