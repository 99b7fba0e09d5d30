import { MapekError } from '@mapek/contracts';
/** Machine-readable codes of the anomaly lib's errors. */
export const AnomalyErrorCode = {
  invalidConfig: 'ANOMALY_INVALID_CONFIG',
  invalidState: 'ANOMALY_INVALID_STATE',
} as const;
export type AnomalyErrorCode = (typeof AnomalyErrorCode)[keyof typeof AnomalyErrorCode];

/** A detector or learner was given parameters it cannot work with. */
export class InvalidAnomalyConfigError extends MapekError {
  readonly code: AnomalyErrorCode = AnomalyErrorCode.invalidConfig;
  readonly retryable = false;
  constructor(message: string) {
    super(message);
  }
}

/** A checkpointed detector state does not match the detector's version or configuration. */
export class InvalidDetectorStateError extends MapekError {
  readonly code: AnomalyErrorCode = AnomalyErrorCode.invalidState;
  readonly retryable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
