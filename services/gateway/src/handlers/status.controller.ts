import { Controller, Get, Inject } from '@nestjs/common';
import { ConsumerName, StreamName } from '@mapek/contracts';
import { MESSAGING, type MessagingRuntime } from '@mapek/messaging';

/** The loop at a glance: stream depths and how far each phase's consumer is behind. */
@Controller('status')
export class StatusController {
  constructor(@Inject(MESSAGING) private readonly runtime: MessagingRuntime) {}

  @Get()
  async status(): Promise<unknown> {
    const streams: Record<string, unknown> = {};
    for (const name of Object.values(StreamName)) {
      try {
        const info = await this.runtime.jsm.streams.info(name);
        streams[name] = { messages: info.state.messages, bytes: info.state.bytes, lastSequence: info.state.last_seq, consumers: info.state.consumer_count };
      } catch {
        streams[name] = { error: 'unavailable' };
      }
    }
    const consumers: Record<string, unknown> = {};
    for (const durable of [ConsumerName.analyzer, ConsumerName.planner, ConsumerName.executor, ConsumerName.executorCommands, ConsumerName.knowledge]) {
      try {
        const info = await this.runtime.jsm.consumers.info(StreamName.events, durable);
        consumers[durable] = { pending: info.num_pending, ackPending: info.num_ack_pending, redelivered: info.num_redelivered, waiting: info.num_waiting };
      } catch {
        consumers[durable] = { error: 'not running' };
      }
    }
    return { nats: { connected: !this.runtime.nc.isClosed(), server: this.runtime.nc.getServer() }, streams, consumers, time: new Date().toISOString() };
  }
}
