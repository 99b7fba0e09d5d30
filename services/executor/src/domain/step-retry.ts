import { backoffDelay, type BackoffPolicy } from '@mapek/service-kit';

/** A step whose effector could not be reached is retried after 250 ms, doubling, jittered, at most 5 s. */
export const stepRetryPolicy: BackoffPolicy = { initialMs: 250, maxMs: 5000 };

export type StepFailure = { readonly unavailable: boolean; readonly attempt: number; readonly retries: number };

/**
 * Whether to try a failed step again, and after how long: only when its effector was unavailable
 * (a timeout, no responders: the step may not have run) and retries are left. A step the effector
 * ran and reported failed is never retried here; the plan's rollback decides what follows.
 */
export function retryAfterMs(failure: StepFailure, random: () => number = Math.random): number | undefined {
  if (!failure.unavailable || failure.attempt >= failure.retries) return undefined;
  return backoffDelay(failure.attempt, stepRetryPolicy, random);
}
