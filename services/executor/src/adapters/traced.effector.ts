import { SpanKind, endSpan, startSpan, withSpan } from '@mapek/observability';
import { EffectorUnavailableError, type Effector, type EffectorRequest, type EffectorResult } from '../domain/effector.port.js';

/** How an effector call ended, on its span: `mapek.effector.outcome`. */
export const EffectorOutcome = {
  /** The effector did it. */
  ok: 'ok',
  /** The effector answered that it could not (a failed step). */
  failed: 'failed',
  /** The effector could not be reached or did not answer (retried, counts against its breaker). */
  unavailable: 'unavailable',
  /** Anything else the effector threw. */
  error: 'error',
} as const;
export type EffectorOutcome = (typeof EffectorOutcome)[keyof typeof EffectorOutcome];

export const EffectorAttribute = {
  kind: 'mapek.effector.kind',
  action: 'mapek.effector.action',
  rollback: 'mapek.effector.rollback',
  outcome: 'mapek.effector.outcome',
  target: 'mapek.target',
  planId: 'mapek.plan.id',
  step: 'mapek.plan.step',
  requestId: 'mapek.effector.request_id',
  errorType: 'error.type',
} as const;

/**
 * Effectors whose call is one request they make themselves, so this span is its CLIENT span. The
 * others are INTERNAL: the agent's CLIENT span is `actuate <action>` beneath this one, and the
 * Docker engine's and the Kubernetes API server's requests are CLIENT spans of their own
 * (`sendJson`), one per API call.
 */
const REMOTE_KINDS: ReadonlySet<string> = new Set(['webhook']);

/**
 * An effector with a span around each call, `effector <kind> <action>`: the kind, action, target
 * and plan step as attributes, the outcome (`mapek.effector.outcome`) and, when it did not
 * succeed, `error.type` and an error status. The call runs inside the span, so what the effector
 * sends (the agent's request, the webhook's POST) carries its context.
 */
export class TracedEffector implements Effector {
  readonly name: string;

  constructor(
    private readonly inner: Effector,
    private readonly kind: string,
  ) {
    this.name = inner.name;
  }

  async run(request: EffectorRequest): Promise<EffectorResult> {
    const span = startSpan(`effector ${this.kind} ${request.step.action}`, {
      kind: REMOTE_KINDS.has(this.kind) ? SpanKind.CLIENT : SpanKind.INTERNAL,
      attributes: {
        [EffectorAttribute.kind]: this.kind,
        [EffectorAttribute.action]: request.step.action,
        [EffectorAttribute.target]: request.step.target,
        [EffectorAttribute.rollback]: request.rollback,
        [EffectorAttribute.planId]: request.planId,
        [EffectorAttribute.step]: request.index,
        [EffectorAttribute.requestId]: request.requestId,
      },
    });
    let result: EffectorResult;
    try {
      result = await withSpan(span, () => this.inner.run(request));
    } catch (error) {
      const unavailable = error instanceof EffectorUnavailableError;
      endSpan(span, error, {
        [EffectorAttribute.outcome]: unavailable ? EffectorOutcome.unavailable : EffectorOutcome.error,
        [EffectorAttribute.errorType]: unavailable ? error.code : error instanceof Error ? error.name : 'error',
      });
      throw error;
    }
    if (result.ok) endSpan(span, undefined, { [EffectorAttribute.outcome]: EffectorOutcome.ok });
    else
      endSpan(span, result.detail, {
        [EffectorAttribute.outcome]: EffectorOutcome.failed,
        [EffectorAttribute.errorType]: result.errorCode ?? 'failed',
      });
    return result;
  }
}
