/** Machine-readable codes of the demo app's errors. */
export const DemoErrorCode = {
  config: 'DEMO_CONFIG',
  badQuery: 'DEMO_BAD_QUERY',
  throttled: 'DEMO_THROTTLED',
} as const;
export type DemoErrorCode = (typeof DemoErrorCode)[keyof typeof DemoErrorCode];

/** An environment variable is missing or malformed; the app refuses to start. */
export class DemoConfigError extends Error {
  override readonly name = 'DemoConfigError';
  readonly code: DemoErrorCode = DemoErrorCode.config;
  readonly retryable = false;
  constructor(message: string) {
    super(message);
  }
}

/** A query parameter of a demo endpoint is out of range or not a number (HTTP 400). */
export class QueryParamError extends Error {
  override readonly name = 'QueryParamError';
  readonly code: DemoErrorCode = DemoErrorCode.badQuery;
  readonly retryable = false;
  constructor(
    readonly param: string,
    reason: string,
  ) {
    super(`${param}: ${reason}`);
  }
}

/** The app was throttled by a remedy and refuses new CPU load until `/demo/reset` (HTTP 429). */
export class ThrottledError extends Error {
  override readonly name = 'ThrottledError';
  readonly code: DemoErrorCode = DemoErrorCode.throttled;
  readonly retryable = true;
  constructor(message: string) {
    super(message);
  }
}
