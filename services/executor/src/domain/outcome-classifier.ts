import { OutcomeKind, type OutcomeKind as Kind } from '@mapek/contracts';

/**
 * The reference classification (003): success when the violations are gone, partial at 50 % or
 * more fewer, ineffective below that, degradation when there are more. With nothing to compare
 * (no violations before), the outcome is unknown.
 */
export function classifyOutcome(before: number, after: number): Kind {
  if (after > before) return OutcomeKind.degradation;
  if (before === 0) return OutcomeKind.unknown;
  if (after === 0) return OutcomeKind.success;
  if (after <= before * 0.5) return OutcomeKind.partial;
  return OutcomeKind.ineffective;
}
