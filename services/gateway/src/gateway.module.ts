import { Inject, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { KvBucket } from '@mapek/messaging';
import type { AlertMemoryStore } from './adapters/alert-memory.js';
import type { ApiKeysSource } from './adapters/api-keys.file.js';
import type { CommandSealer } from './adapters/command-sealer.js';
import type { EventFeed } from './adapters/event-feed.js';
import type { FlagsFeed } from './adapters/flags.feed.js';
import type { KnowledgeClient } from './adapters/knowledge.client.js';
import type { PlannerClient } from './adapters/planner.client.js';
import type { MicroCache } from './domain/micro-cache.js';
import { ALERT_MEMORY, ALERT_SOURCE, AlertmanagerController, type AlertSource } from './handlers/alertmanager.controller.js';
import { COMMAND_SEALER, COMMANDS_ENABLED, CommandsController } from './handlers/commands.controller.js';
import { CONSOLE_CONFIG, ConsoleConfigController, type ConsoleConfig } from './handlers/console-config.controller.js';
import { ConsoleController } from './handlers/console.controller.js';
import { DocsController } from './handlers/docs.controller.js';
import { FLAGS_FEED, FlagsController } from './handlers/flags.controller.js';
import { HEARTBEAT_TARGETS, HeartbeatsController, type HeartbeatTargets } from './handlers/heartbeats.controller.js';
import { IncidentsController, KNOWLEDGE, LIST_CACHE, PLANNER } from './handlers/incidents.controller.js';
import { KnowledgeController } from './handlers/knowledge.controller.js';
import { PLANS_KV, PlansController } from './handlers/plans.controller.js';
import { SessionController } from './handlers/session.controller.js';
import { CONFIGURATION_STATUS, StatusController, type ConfigurationStatusSource } from './handlers/status.controller.js';

export const EVENT_FEED = Symbol.for('mapek.gateway.feed');
const API_KEYS = Symbol.for('mapek.gateway.api-keys');

@Module({})
export class GatewayModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(EVENT_FEED) private readonly feed: EventFeed,
    @Inject(API_KEYS) private readonly keys: ApiKeysSource | null,
    @Inject(FLAGS_FEED) private readonly flags: FlagsFeed,
  ) {}

  static forRoot(
    knowledge: KnowledgeClient,
    plans: KvBucket,
    feed: EventFeed,
    commands: { readonly enabled: boolean; readonly sealer: CommandSealer },
    keys: ApiKeysSource | undefined,
    flags: FlagsFeed,
    planner: PlannerClient,
    alerts: { readonly source: AlertSource; readonly memory: AlertMemoryStore },
    consoleConfig: ConsoleConfig,
    configuration: ConfigurationStatusSource,
    listCache: MicroCache<unknown>,
    heartbeatTargets: HeartbeatTargets = () => undefined,
  ): DynamicModule {
    return {
      module: GatewayModule,
      controllers: [
        IncidentsController,
        PlansController,
        CommandsController,
        FlagsController,
        KnowledgeController,
        SessionController,
        StatusController,
        DocsController,
        ConsoleController,
        ConsoleConfigController,
        AlertmanagerController,
        HeartbeatsController,
      ],
      providers: [
        { provide: KNOWLEDGE, useValue: knowledge },
        { provide: PLANS_KV, useValue: plans },
        { provide: EVENT_FEED, useValue: feed },
        { provide: COMMANDS_ENABLED, useValue: commands.enabled },
        { provide: COMMAND_SEALER, useValue: commands.sealer },
        { provide: API_KEYS, useValue: keys ?? null },
        { provide: FLAGS_FEED, useValue: flags },
        { provide: PLANNER, useValue: planner },
        { provide: LIST_CACHE, useValue: listCache },
        { provide: ALERT_SOURCE, useValue: alerts.source },
        { provide: ALERT_MEMORY, useValue: alerts.memory },
        { provide: CONSOLE_CONFIG, useValue: consoleConfig },
        { provide: CONFIGURATION_STATUS, useValue: configuration },
        { provide: HEARTBEAT_TARGETS, useValue: heartbeatTargets },
      ],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.feed.start();
    this.flags.start();
  }

  onApplicationShutdown(): void {
    this.feed.stop();
    this.flags.stop();
    this.keys?.stop();
  }
}
