import { Module, type DynamicModule } from '@nestjs/common';
import type { KnowledgeRepository } from './adapters/knowledge.repository.js';
import { DeadLetterAuditHandler } from './handlers/dead-letter-audit.handler.js';
import { EventRecorderHandler, REPOSITORY } from './handlers/event-recorder.handler.js';
import { KnowledgeQueryService } from './handlers/knowledge-query.service.js';

@Module({})
export class KnowledgeModule {
  static forRoot(repository: KnowledgeRepository): DynamicModule {
    return { module: KnowledgeModule, providers: [{ provide: REPOSITORY, useValue: repository }, EventRecorderHandler, KnowledgeQueryService, DeadLetterAuditHandler] };
  }
}
