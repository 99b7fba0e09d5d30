import { Body, Controller, HttpCode, HttpStatus, Inject, Post } from '@nestjs/common';
import { newEventId, subjects } from '@mapek/contracts';
import { EVENT_PUBLISHER, MESSAGING, type EventPublisherPort, type MessagingRuntime } from '@mapek/messaging';
import { LOGGER, type Logger } from '@mapek/observability';
import { NoRecipientKeyError, type CommandSealer } from '../adapters/command-sealer.js';
import { commandRequestSchema, commandSpecOf } from '../domain/command-request.js';
import { actorOf } from '../domain/access-policy.js';
import type { Principal } from '../domain/api-key.verifier.js';
import { Caller } from './access-control.js';
import { badRequest, httpError } from './http-errors.js';

export const COMMAND_SEALER = Symbol.for('mapek.gateway.command-sealer');
export const COMMANDS_ENABLED = Symbol.for('mapek.gateway.commands-enabled');

/** Manual commands: validated, sealed to the executor, published as a signed `command` event. */
@Controller('api/v1/commands')
export class CommandsController {
  constructor(
    @Inject(COMMANDS_ENABLED) private readonly enabled: boolean,
    @Inject(COMMAND_SEALER) private readonly sealer: CommandSealer,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisherPort,
    @Inject(MESSAGING) private readonly runtime: MessagingRuntime,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** 202 once JetStream acknowledged the event: the executor will run it (or refuse it, dead-lettered). */
  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  async create(@Body() body: unknown, @Caller() caller: Principal | undefined): Promise<{ commandId: string; eventId: string }> {
    if (!this.enabled) {
      throw httpError(
        HttpStatus.FORBIDDEN,
        'commands_disabled',
        'manual commands are disabled on this gateway (MAPEK_GATEWAY_COMMANDS_ENABLED=false)',
      );
    }
    const parsed = commandRequestSchema.safeParse(body ?? undefined);
    if (!parsed.success) throw badRequest(parsed.error);
    const who = actorOf(caller, parsed.data.actor);
    if (!who.ok) throw httpError(HttpStatus.BAD_REQUEST, 'actor_mismatch', who.reason);
    const request = { ...parsed.data, actor: who.actor };
    const commandId = newEventId();
    const eventId = newEventId();
    let payload;
    try {
      payload = this.sealer.payload(commandSpecOf(request), { subject: subjects.commands(request.target, this.runtime.prefix), eventId });
    } catch (error) {
      if (error instanceof NoRecipientKeyError) throw httpError(HttpStatus.SERVICE_UNAVAILABLE, error.code, error.message);
      throw error;
    }
    try {
      await this.publisher.publish('command', {
        id: eventId,
        target: request.target,
        data: { commandId, actor: request.actor, action: request.action, dryRun: request.dryRun, payload },
      });
    } catch (error) {
      this.logger.error({ err: error, commandId }, 'could not publish a manual command');
      throw httpError(
        HttpStatus.SERVICE_UNAVAILABLE,
        'publish_failed',
        'the command could not be stored on the event stream; nothing was sent',
      );
    }
    this.logger.info(
      {
        commandId,
        eventId,
        target: request.target,
        action: request.action,
        actor: request.actor,
        dryRun: request.dryRun,
        sealed: this.sealer.seals,
      },
      'manual command accepted',
    );
    return { commandId, eventId };
  }
}
