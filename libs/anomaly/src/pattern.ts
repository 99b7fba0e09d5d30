/** The kinds of pattern found over recent symptoms, as wire values. */
export const PatternKind = {
  temporal: 'temporal',
  spatial: 'spatial',
  causal: 'causal',
  frequency: 'frequency',
} as const;
export type PatternKind = (typeof PatternKind)[keyof typeof PatternKind];

/** A pattern with the symptoms that show it. */
export interface Pattern {
  readonly kind: PatternKind;
  /** In [0, 1]. */
  readonly confidence: number;
  /** What the pattern suggests, e.g. "cascade failure". */
  readonly diagnosis: string;
  readonly description: string;
  /** Ids of the symptoms that make up the pattern. */
  readonly evidence: readonly string[];
  /** Targets involved, most involved first. */
  readonly targets: readonly string[];
}
