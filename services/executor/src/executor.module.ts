import { Module, type DynamicModule } from '@nestjs/common';
import type { KvBucket } from '@mapek/messaging';
import type { CommandOpener } from './adapters/command-opener.js';
import { ResolvedSignals } from './adapters/resolved-signals.js';
import type { EffectorRegistry } from './adapters/effector.registry.js';
import type { SymptomHistory } from './domain/symptom-history.port.js';
import {
  EFFECTORS,
  EXECUTOR_KV,
  EXECUTOR_SETTINGS,
  ExecutionService,
  RESOLVED_SIGNALS,
  SAFETY,
  SYMPTOM_HISTORY,
  type ExecutorSettings,
  type SafetyPorts,
} from './application/execution.service.js';
import { COMMAND_OPENER, CommandHandler } from './handlers/command.handler.js';
import { ExecutionHandler } from './handlers/execution.handler.js';

@Module({})
export class ExecutorModule {
  static forRoot(
    settings: ExecutorSettings,
    kv: KvBucket,
    effectors: EffectorRegistry,
    history: SymptomHistory,
    commands: CommandOpener,
    safety: SafetyPorts,
  ): DynamicModule {
    return {
      module: ExecutorModule,
      providers: [
        { provide: EXECUTOR_SETTINGS, useValue: settings },
        { provide: EXECUTOR_KV, useValue: kv },
        { provide: EFFECTORS, useValue: effectors },
        { provide: SYMPTOM_HISTORY, useValue: history },
        { provide: COMMAND_OPENER, useValue: commands },
        { provide: RESOLVED_SIGNALS, useValue: new ResolvedSignals(kv) },
        { provide: SAFETY, useValue: safety },
        ExecutionService,
        ExecutionHandler,
        CommandHandler,
      ],
    };
  }
}
