import type { CauseKind } from './cause-kind.js';

/** One ranked root-cause hypothesis; the remediation goes to `target`. */
export interface RootCause {
  readonly target: string;
  readonly cause: CauseKind;
  /** In [0, 0.95]: never certain. */
  readonly confidence: number;
  /** Ids of the symptoms this cause accounts for (its own and its dependents'). */
  readonly explains: readonly string[];
  readonly reasoning: string;
}
