import { Header, type ActuationReplyV1 } from '@mapek/contracts';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { ActuationHandler, InboundMessage } from './actuation.handler.js';
import { SpanKind, contextOfTraceparent, endAgentSpan, inAgentSpan, startAgentSpan } from './agent.tracing.js';

/**
 * Seam for signing / encrypting the reply: turns it into wire bytes. Default: UTF-8 JSON.
 */
export type SealReply = (reply: ActuationReplyV1, request: InboundMessage) => Uint8Array | Promise<Uint8Array>;

const encoder = new TextEncoder();
export const sealAsJson: SealReply = (reply) => encoder.encode(JSON.stringify(reply));

/** Core NATS side of actuation: one queue subscription, one reply per request. */
export class ActuationResponder {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly subscription: Subscription;

  private constructor(
    connection: NatsConnection,
    subject: string,
    queue: string,
    private readonly handler: ActuationHandler,
    private readonly seal: SealReply,
    private readonly onError: (error: unknown, context: string) => void,
  ) {
    this.subscription = connection.subscribe(subject, {
      queue,
      callback: (error, msg) => {
        if (error) {
          this.onError(error, `subscription ${subject}`);
          return;
        }
        const work = this.answer(msg).finally(() => this.inFlight.delete(work));
        this.inFlight.add(work);
      },
    });
  }

  /** Subscribes and waits until the server has the subscription, so requests sent next reach it. */
  static async start(
    connection: NatsConnection,
    options: {
      subject: string;
      queue: string;
      handler: ActuationHandler;
      seal: SealReply;
      onError: (error: unknown, context: string) => void;
    },
  ): Promise<ActuationResponder> {
    const responder = new ActuationResponder(connection, options.subject, options.queue, options.handler, options.seal, options.onError);
    await connection.flush();
    return responder;
  }

  /** Stops taking requests, lets the ones already received finish and reply. */
  async close(): Promise<void> {
    if (!this.subscription.isClosed()) await this.subscription.drain();
    await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Runs the request's remedy and replies, inside a SERVER span `actuate <action>` that continues
   * the executor's `actuate` span (the request's `traceparent`): the remedy shows in its incident's
   * trace when the host process exports spans.
   */
  private async answer(msg: Msg): Promise<void> {
    const inbound: InboundMessage = { subject: msg.subject, data: msg.data, header: (name) => msg.headers?.get(name) || undefined };
    const span = startAgentSpan(
      'actuate',
      SpanKind.SERVER,
      { 'messaging.system': 'nats', 'messaging.destination.name': msg.subject },
      contextOfTraceparent(inbound.header(Header.traceparent)),
    );
    try {
      // The handler names the span after the action once it has opened the request.
      const reply = await inAgentSpan(span, () => this.handler.handle(inbound));
      if (reply.errorCode) span.setAttribute('error.type', reply.errorCode);
      // A plain publish (no reply subject) still runs the remedy; there is just no one to answer.
      if (msg.reply) msg.respond(await this.seal(reply, inbound));
      endAgentSpan(span, reply.ok ? undefined : reply.detail);
    } catch (error) {
      endAgentSpan(span, error);
      this.onError(error, `answering ${msg.subject}`);
    }
  }
}
