import { ConsumerName, StreamName } from '@mapek/contracts';
import type { ConsumerSettings, EnvelopeVerifier } from '@mapek/messaging';
import type { CommandOpener } from './adapters/command-opener.js';

export interface ExecutorConsumerOptions {
  readonly ackWaitMs: number;
  readonly concurrency: number;
  /** The service's envelope verifier (signatures), undefined without an identity. */
  readonly verifier: EnvelopeVerifier | undefined;
  readonly commands: CommandOpener;
}

/**
 * Two durables: `executor` on `plans.approved` and `incidents` (resolved signals), and `executor-commands` on `commands`, whose
 * verifier also refuses a command that is not sealed to this executor (counted, dead-lettered)
 * before the handler runs. A verifier belongs to a durable, and plans and commands need no order
 * between them, so they stay apart although one durable could now filter on both (ADR 0006).
 */
export function executorConsumers(options: ExecutorConsumerOptions): ConsumerSettings[] {
  return [
    {
      stream: StreamName.events,
      durable: ConsumerName.executor,
      // A resolution comes through the same durable as the plans, so the stream's order holds between them.
      types: ['plan.approved', 'incident.resolved'],
      ackWaitMs: options.ackWaitMs,
      concurrency: options.concurrency,
    },
    {
      stream: StreamName.events,
      durable: ConsumerName.executorCommands,
      types: ['command'],
      ackWaitMs: options.ackWaitMs,
      concurrency: options.concurrency,
      verifier: options.commands.verifier(options.verifier),
    },
  ];
}
