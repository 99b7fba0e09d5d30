import { Body, Controller, Get, HttpCode, HttpStatus, Inject, Post } from '@nestjs/common';
import { flagRecordKey, flagSubjectKey } from '@mapek/contracts';
import { EVENT_PUBLISHER, type EventPublisherPort } from '@mapek/messaging';
import { LOGGER, type Logger } from '@mapek/observability';
import type { FlagEntry, FlagsFeed } from '../adapters/flags.feed.js';
import { actorOf, mayChangeFlag } from '../domain/access-policy.js';
import type { Principal } from '../domain/api-key.verifier.js';
import { flagRequestSchema } from '../domain/flag-request.js';
import { Caller } from './access-control.js';
import { badRequest, httpError } from './http-errors.js';

export const FLAGS_FEED = Symbol.for('mapek.gateway.flags-feed');

/**
 * Runtime flags: auto-healing (global and per target), shadow mode per target, the autonomy level
 * per (cause, remedy) and the ladder's rules. A change is published as a signed `flag.changed`
 * event (knowledge chains it into the audit trail); the planner stores it in its bucket and acts
 * on it from the next plan on.
 */
@Controller('api/v1/flags')
export class FlagsController {
  constructor(
    @Inject(FLAGS_FEED) private readonly flags: FlagsFeed,
    @Inject(EVENT_PUBLISHER) private readonly publisher: EventPublisherPort,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Get()
  async list(): Promise<{ flags: FlagEntry[] }> {
    return { flags: await this.flags.list() };
  }

  /** 202 once JetStream stored the `flag.changed` event; the planner applies it (watch /ws for `{"type":"flag"}`). */
  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  async change(@Body() body: unknown, @Caller() caller: Principal | undefined): Promise<{ accepted: true; eventId: string; key: string }> {
    const parsed = flagRequestSchema.safeParse(body ?? undefined);
    if (!parsed.success) throw badRequest(parsed.error);
    const who = actorOf(caller, parsed.data.actor);
    if (!who.ok) throw httpError(HttpStatus.BAD_REQUEST, 'actor_mismatch', who.reason);
    const { change, reason } = parsed.data;
    const key = flagRecordKey(change);
    if (caller) {
      const allowed = mayChangeFlag(caller.role, change, await this.flags.get(key));
      if (!allowed.ok) throw httpError(HttpStatus.FORBIDDEN, 'forbidden', allowed.reason);
    }
    let eventId: string;
    try {
      const event = await this.publisher.publish('flag.changed', {
        target: flagSubjectKey(change),
        subjectKey: flagSubjectKey(change),
        data: { change, actor: who.actor, ...(reason ? { reason } : {}) },
      });
      eventId = event.id;
    } catch (error) {
      this.logger.error({ err: error, key }, 'could not publish a flag change');
      throw httpError(
        HttpStatus.SERVICE_UNAVAILABLE,
        'publish_failed',
        'the change could not be stored on the event stream; nothing changed',
      );
    }
    this.logger.info({ key, change, actor: who.actor, eventId }, 'runtime flag change accepted');
    return { accepted: true, eventId, key };
  }
}
