export interface ActionStatsRow {
  readonly cause: string;
  readonly action: string;
  readonly attempts: number;
  readonly successes: number;
  readonly partials: number;
  readonly ineffective: number;
  readonly degradations: number;
  readonly unknown: number;
  readonly ttrCount: number;
  readonly ttrSumMs: number;
}

export interface Insight {
  readonly title: string;
  readonly cause: string;
  readonly action: string;
  readonly successRate: number;
  /** Grows with the number of outcomes: n / (n + 2). */
  readonly confidence: number;
  readonly meanTimeToRecoveryMs: number | null;
  readonly recommendation: 'prefer' | 'avoid' | 'watch';
}

export function meanTtr(row: ActionStatsRow): number | null {
  return row.ttrCount > 0 ? row.ttrSumMs / row.ttrCount : null;
}

/** What the outcomes so far say, for actions with at least `minAttempts` outcomes; strongest first. */
export function insightsFrom(rows: readonly ActionStatsRow[], minAttempts = 3): Insight[] {
  return rows
    .filter((row) => row.attempts >= minAttempts)
    .map((row) => {
      const rate = (row.successes + 0.5 * row.partials) / row.attempts;
      const ttr = meanTtr(row);
      const recommendation = rate >= 0.7 ? 'prefer' : rate < 0.3 || row.degradations > row.successes ? 'avoid' : 'watch';
      return {
        title: `${row.action} is ${Math.round(rate * 100)}% effective against ${row.cause} (n=${row.attempts})${ttr === null ? '' : `, stabilizes in ~${(ttr / 1000).toFixed(1)} s`}`,
        cause: row.cause,
        action: row.action,
        successRate: rate,
        confidence: row.attempts / (row.attempts + 2),
        meanTimeToRecoveryMs: ttr,
        recommendation,
      } satisfies Insight;
    })
    .sort((a, b) => b.confidence * Math.abs(b.successRate - 0.5) - a.confidence * Math.abs(a.successRate - 0.5));
}
