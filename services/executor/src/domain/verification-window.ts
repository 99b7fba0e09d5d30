/** A span of time, [fromMs, toMs). */
export interface Span {
  readonly fromMs: number;
  readonly toMs: number;
}

/**
 * How much earlier than its incident's id the symptom that opened it may have been observed:
 * symptoms count when they were observed, and a source dates its reading before it makes the
 * event (the monitor dates a scrape's answer, then runs its rules and builds the symptom; the agent
 * dates a crossing, then signs and sends it), usually by a few milliseconds.
 */
export const OPENING_SLACK_MS = 1000;

/**
 * The span whose violations count as "before" a remedy: one verification window right before the
 * execution started. An execution that started more than a window after its incident opened (a
 * crash, a NATS or database outage, a backlog held it up) may find that span empty while the
 * trouble is still there, because the monitor or its publishes were down meanwhile, and its
 * outcome would be `unknown` although the remedy worked. Such an execution compares with the
 * incident's first window instead, which holds the violations that opened it: from
 * `OPENING_SLACK_MS` before the incident's id (so the symptom that opened it is in it) to a
 * window after it.
 */
export function violationsBeforeSpan(startedMs: number, windowMs: number, incidentOpenedMs?: number): Span {
  if (incidentOpenedMs === undefined || startedMs <= incidentOpenedMs + windowMs) return { fromMs: startedMs - windowMs, toMs: startedMs };
  return { fromMs: incidentOpenedMs - OPENING_SLACK_MS, toMs: incidentOpenedMs + windowMs };
}
