import { errors, headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { SealedRequestType, type SealedRequest, type SealRequestInput } from '@mapek/pqc';
import { actuationReplyV1Schema, subjects } from '@mapek/contracts';
import { MESSAGING_SYSTEM, MessagingAttribute } from '@mapek/messaging';
import { SpanKind, endSpan, injectTraceContext, startSpan } from '@mapek/observability';
import { EffectorUnavailableError, type Effector, type EffectorRequest, type EffectorResult } from '../domain/effector.port.js';

/** Signs a request as the executor and seals it to the receiving agent (libs/pqc createRequestSealer). */
export type RequestSealer = (input: SealRequestInput) => SealedRequest;

/**
 * Runs in-process remedies through the managed service's embedded agent (core NATS
 * request-reply). With a sealer, each request is signed by the executor and sealed (X-Wing →
 * HKDF → AES-256-GCM) to the agent's key, bound to the subject and a fresh message id.
 */
export class AgentEffector implements Effector {
  readonly name = 'agent';

  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly sealer?: RequestSealer,
  ) {}

  async run(request: EffectorRequest): Promise<EffectorResult> {
    const body = {
      requestId: request.requestId,
      planId: request.planId,
      step: request.index,
      action: request.step.action,
      params: request.step.params,
      rollback: request.rollback,
    };
    const subject = subjects.actuate(request.step.target, this.prefix);
    let payload: string | Uint8Array = JSON.stringify(body);
    const headers = natsHeaders();
    if (this.sealer) {
      // A fresh message id per attempt: a retry is not a replay; the agent dedupes on requestId.
      const sealed = this.sealer({ subject, recipient: 'agent', target: request.step.target, type: SealedRequestType.actuation, payload });
      payload = sealed.body;
      for (const [name, value] of Object.entries(sealed.headers)) headers.set(name, value);
    }
    // A client span per actuation; its context travels in `traceparent` beside the sealed body.
    const span = startSpan(`actuate ${request.step.action}`, {
      kind: SpanKind.CLIENT,
      attributes: {
        [MessagingAttribute.system]: MESSAGING_SYSTEM,
        [MessagingAttribute.destination]: subject,
        [MessagingAttribute.operationName]: 'request',
        [MessagingAttribute.target]: request.step.target,
        'mapek.actuation.action': request.step.action,
        'mapek.actuation.rollback': request.rollback,
        'mapek.plan.id': request.planId,
      },
    });
    injectTraceContext({ set: (name, value) => headers.set(name, value) }, span);
    let reply;
    try {
      reply = await this.nc.request(subject, payload, { timeout: request.step.timeoutMs, headers });
    } catch (error) {
      endSpan(span, error);
      if (error instanceof errors.NoRespondersError) {
        throw new EffectorUnavailableError('no_responders', `no agent answers for ${request.step.target}`, { cause: error });
      }
      if (error instanceof errors.TimeoutError) {
        throw new EffectorUnavailableError('timeout', `agent of ${request.step.target} did not answer in ${request.step.timeoutMs} ms`, {
          cause: error,
        });
      }
      throw new EffectorUnavailableError('transport', (error as Error).message, { cause: error });
    }
    const parsed = actuationReplyV1Schema.safeParse(reply.json());
    if (!parsed.success) {
      endSpan(span, new Error('invalid_reply'));
      return { ok: false, detail: 'agent sent a reply that does not match the contract', errorCode: 'invalid_reply' };
    }
    endSpan(span, parsed.data.ok ? undefined : new Error(parsed.data.errorCode ?? 'actuation failed'));
    return { ok: parsed.data.ok, detail: parsed.data.detail, ...(parsed.data.errorCode ? { errorCode: parsed.data.errorCode } : {}) };
  }
}
