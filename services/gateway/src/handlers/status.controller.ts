import { Controller, Get, Inject } from '@nestjs/common';
import type { ConfigurationStatus } from '@mapek/config';
import { ConsumerName, StreamName } from '@mapek/contracts';
import { MESSAGING, type MessagingRuntime } from '@mapek/messaging';

export const CONFIGURATION_STATUS = Symbol.for('mapek.gateway.configuration-status');

/** The configuration file in force (loads, refusals, the last refusal's problems); undefined without one. */
export type ConfigurationStatusSource = () => ConfigurationStatus | undefined;

/** The loop at a glance: stream depths, how far each phase's consumer is behind, and the gateway's configuration file. */
@Controller('status')
export class StatusController {
  constructor(
    @Inject(MESSAGING) private readonly runtime: MessagingRuntime,
    @Inject(CONFIGURATION_STATUS) private readonly configuration: ConfigurationStatusSource,
  ) {}

  @Get()
  async status(): Promise<unknown> {
    const streams: Record<string, unknown> = {};
    for (const name of Object.values(StreamName)) {
      try {
        const info = await this.runtime.jsm.streams.info(name);
        streams[name] = {
          messages: info.state.messages,
          bytes: info.state.bytes,
          lastSequence: info.state.last_seq,
          consumers: info.state.consumer_count,
        };
      } catch {
        streams[name] = { error: 'unavailable' };
      }
    }
    const consumers: Record<string, unknown> = {};
    for (const durable of [
      ConsumerName.analyzer,
      ConsumerName.planner,
      ConsumerName.executor,
      ConsumerName.executorCommands,
      ConsumerName.knowledge,
    ]) {
      try {
        const info = await this.runtime.jsm.consumers.info(StreamName.events, durable);
        consumers[durable] = {
          pending: info.num_pending,
          ackPending: info.num_ack_pending,
          redelivered: info.num_redelivered,
          waiting: info.num_waiting,
        };
      } catch {
        consumers[durable] = { error: 'not running' };
      }
    }
    const configuration = this.configuration();
    return {
      nats: { connected: !this.runtime.nc.isClosed(), server: this.runtime.nc.getServer() },
      streams,
      consumers,
      ...(configuration ? { configuration } : {}),
      time: new Date().toISOString(),
    };
  }
}
