/** Machine-readable codes of the NAB tool's errors. */
export const NabErrorCode = {
  input: 'NAB_INPUT',
  usage: 'NAB_USAGE',
} as const;
export type NabErrorCode = (typeof NabErrorCode)[keyof typeof NabErrorCode];

/** The corpus, labels or a results file are missing or malformed. */
export class NabInputError extends Error {
  override readonly name = 'NabInputError';
  readonly code: NabErrorCode = NabErrorCode.input;
  readonly retryable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The command line is wrong. */
export class NabUsageError extends Error {
  override readonly name = 'NabUsageError';
  readonly code: NabErrorCode = NabErrorCode.usage;
  readonly retryable = false;
  constructor(message: string) {
    super(message);
  }
}
