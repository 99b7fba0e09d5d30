import type { SeenSymptom } from './symptom-state.js';

/** Reads a target's symptoms back for a time span: what the executor checks before a step and judges an outcome by. */
export interface SymptomHistory {
  /** The target's symptoms observed in [fromMs, toMs) whose metric passes the filter: when observed, source and metric, oldest first. */
  symptoms(target: string, fromMs: number, toMs: number, metricFilter?: (metric: string) => boolean): Promise<SeenSymptom[]>;
}
