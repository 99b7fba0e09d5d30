import { Module, type DynamicModule } from '@nestjs/common';
import type { KvBucket } from '@mapek/messaging';
import type { KnowledgeClient } from './adapters/knowledge.client.js';
import { KNOWLEDGE_CLIENT, PLANNER_KV, PLANNER_SETTINGS, PlanningHandler, type PlannerSettings } from './handlers/planning.handler.js';

@Module({})
export class PlannerModule {
  static forRoot(settings: PlannerSettings, kv: KvBucket, knowledge: KnowledgeClient): DynamicModule {
    return {
      module: PlannerModule,
      providers: [
        { provide: PLANNER_SETTINGS, useValue: settings },
        { provide: PLANNER_KV, useValue: kv },
        { provide: KNOWLEDGE_CLIENT, useValue: knowledge },
        PlanningHandler,
      ],
    };
  }
}
