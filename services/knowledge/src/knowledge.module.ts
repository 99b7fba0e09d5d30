import { Module, type DynamicModule } from '@nestjs/common';
import type { DatabaseSchema } from './adapters/database.js';
import type { KnowledgeRepository } from './adapters/knowledge.repository.js';
import { DeadLetterAuditHandler } from './handlers/dead-letter-audit.handler.js';
import { DATABASE_SCHEMA, EventRecorderHandler, REPOSITORY } from './handlers/event-recorder.handler.js';
import { KnowledgeQueryService } from './handlers/knowledge-query.service.js';

@Module({})
export class KnowledgeModule {
  static forRoot(repository: KnowledgeRepository, schema: DatabaseSchema): DynamicModule {
    return {
      module: KnowledgeModule,
      providers: [
        { provide: REPOSITORY, useValue: repository },
        { provide: DATABASE_SCHEMA, useValue: schema },
        EventRecorderHandler,
        KnowledgeQueryService,
        DeadLetterAuditHandler,
      ],
    };
  }
}
