/**
 * The blast-radius and per-effector caps as sliding windows over what was acted on, stored in KV
 * so every replica counts the same actions. Pure: the adapter reads, decides here, and writes back
 * with a revision check.
 */

/** A target acted on, and when (ms). */
export interface TargetAction {
  readonly target: string;
  readonly at: number;
}

export interface WindowVerdict<T> {
  readonly allowed: boolean;
  /** What to store: the window pruned, with this action added when it is allowed. */
  readonly next: T;
  /** Entries in the window, this one included when allowed. */
  readonly count: number;
}

/**
 * Distinct targets acted on in the last `windowMs`: a target already in the window costs nothing
 * more (its time is refreshed); a new one is allowed while fewer than `limit` are there.
 */
export function admitTarget(
  entries: readonly TargetAction[],
  target: string,
  now: number,
  windowMs: number,
  limit: number,
): WindowVerdict<TargetAction[]> {
  const live = entries.filter((entry) => entry.at > now - windowMs && entry.at <= now);
  const known = live.some((entry) => entry.target === target);
  if (!known && live.length >= limit) return { allowed: false, next: live, count: live.length };
  const next = [...live.filter((entry) => entry.target !== target), { target, at: now }];
  return { allowed: true, next, count: next.length };
}

/** Actions in the last `windowMs`: one more is allowed while fewer than `limit` are there. */
export function admitAction(times: readonly number[], now: number, windowMs: number, limit: number): WindowVerdict<number[]> {
  const live = times.filter((at) => at > now - windowMs && at <= now);
  if (live.length >= limit) return { allowed: false, next: live, count: live.length };
  const next = [...live, now];
  return { allowed: true, next, count: next.length };
}
