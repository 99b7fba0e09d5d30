import { MapekError } from '@mapek/contracts';
/** Machine-readable codes of the parser's errors. */
export const PrometheusTextErrorCode = {
  parse: 'PROMETHEUS_TEXT_PARSE',
} as const;
export type PrometheusTextErrorCode = (typeof PrometheusTextErrorCode)[keyof typeof PrometheusTextErrorCode];

/**
 * The exposition text is malformed. `line` is 1-based; `column` (1-based, when known) points at
 * the offending character. Parsing the same text again fails the same way, so it is not retryable.
 */
export class PrometheusTextParseError extends MapekError {
  readonly code: PrometheusTextErrorCode = PrometheusTextErrorCode.parse;
  readonly retryable = false;
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column?: number,
  ) {
    super(column === undefined ? `line ${line}: ${reason}` : `line ${line}, column ${column}: ${reason}`);
  }
}
