import { randomBytes } from 'node:crypto';

/** W3C Trace Context: `00-<32 hex trace id>-<16 hex parent span id>-<2 hex flags>`. */
export interface TraceParent {
  readonly traceId: string;
  readonly spanId: string;
  readonly sampled: boolean;
}

const PATTERN = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function parseTraceparent(value: string | undefined): TraceParent | undefined {
  if (!value) return undefined;
  const match = PATTERN.exec(value.trim());
  if (!match?.[1] || !match[2] || !match[3]) return undefined;
  if (/^0+$/.test(match[1]) || /^0+$/.test(match[2])) return undefined;
  return { traceId: match[1], spanId: match[2], sampled: (Number.parseInt(match[3], 16) & 1) === 1 };
}

export function formatTraceparent(parent: TraceParent): string {
  return `00-${parent.traceId}-${parent.spanId}-${parent.sampled ? '01' : '00'}`;
}

export function newSpanId(): string {
  return randomBytes(8).toString('hex');
}

export function newTraceId(): string {
  return randomBytes(16).toString('hex');
}

/** A child span of the current trace, or a new trace when there is none. */
export function childTraceparent(traceId: string | undefined): TraceParent {
  return { traceId: traceId ?? newTraceId(), spanId: newSpanId(), sampled: true };
}
