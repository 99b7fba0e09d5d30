import { Module, type DynamicModule } from '@nestjs/common';
import type { KV } from '@mapek/messaging';
import type { SymptomHistory } from './adapters/symptom-history.js';
import { EFFECTORS, EXECUTOR_KV, EXECUTOR_SETTINGS, ExecutionHandler, SYMPTOM_HISTORY, type EffectorSet, type ExecutorSettings } from './handlers/execution.handler.js';

@Module({})
export class ExecutorModule {
  static forRoot(settings: ExecutorSettings, kv: KV, effectors: EffectorSet, history: SymptomHistory): DynamicModule {
    return {
      module: ExecutorModule,
      providers: [
        { provide: EXECUTOR_SETTINGS, useValue: settings },
        { provide: EXECUTOR_KV, useValue: kv },
        { provide: EFFECTORS, useValue: effectors },
        { provide: SYMPTOM_HISTORY, useValue: history },
        ExecutionHandler,
      ],
    };
  }
}
