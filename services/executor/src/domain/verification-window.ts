/** A span of time, [fromMs, toMs). */
export interface Span {
  readonly fromMs: number;
  readonly toMs: number;
}

/**
 * The span whose violations count as "before" a remedy: one verification window right before the
 * execution started. An execution that started more than a window after its incident opened (a
 * crash, a NATS or database outage, a backlog held it up) may find that span empty while the
 * trouble is still there, because the monitor or its publishes were down meanwhile, and its
 * outcome would be `unknown` although the remedy worked. Such an execution compares with the
 * incident's first window instead, which holds the violations that opened it: a span of the same
 * length, so the counts before and after stay comparable.
 */
export function violationsBeforeSpan(startedMs: number, windowMs: number, incidentOpenedMs?: number): Span {
  const toMs = incidentOpenedMs === undefined ? startedMs : Math.min(startedMs, incidentOpenedMs + windowMs);
  return { fromMs: toMs - windowMs, toMs };
}
