import { Module, type DynamicModule } from '@nestjs/common';
import type { KvBucket } from '@mapek/messaging';
import type { KnowledgeStatsCache } from './adapters/knowledge-stats.cache.js';
import type { FlagsWatcher } from './adapters/flags.watcher.js';
import type { RuntimeFlags } from './domain/runtime-flags.js';
import { KNOWLEDGE_CLIENT, PLANNER_KV, PLANNER_SETTINGS, PlanningHandler, type PlannerSettings } from './handlers/planning.handler.js';
import { ReplayService } from './handlers/replay.service.js';
import {
  AUTONOMY_SETTINGS,
  FLAGS_KV,
  FLAGS_WATCHER,
  RUNTIME_FLAGS,
  RuntimeFlagsHandler,
  type AutonomySettings,
} from './handlers/runtime-flags.handler.js';

@Module({})
export class PlannerModule {
  static forRoot(
    settings: PlannerSettings,
    kv: KvBucket,
    knowledge: KnowledgeStatsCache,
    flags: { readonly view: RuntimeFlags; readonly watcher: FlagsWatcher; readonly autonomy: AutonomySettings },
  ): DynamicModule {
    return {
      module: PlannerModule,
      providers: [
        { provide: PLANNER_SETTINGS, useValue: settings },
        { provide: PLANNER_KV, useValue: kv },
        { provide: KNOWLEDGE_CLIENT, useValue: knowledge },
        { provide: RUNTIME_FLAGS, useValue: flags.view },
        { provide: FLAGS_WATCHER, useValue: flags.watcher },
        { provide: AUTONOMY_SETTINGS, useValue: flags.autonomy },
        { provide: FLAGS_KV, useValue: kv },
        PlanningHandler,
        RuntimeFlagsHandler,
        ReplayService,
      ],
    };
  }
}
