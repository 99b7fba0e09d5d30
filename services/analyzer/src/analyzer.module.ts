import { Module, type DynamicModule } from '@nestjs/common';
import type { KV } from '@mapek/messaging';
import { ANALYZER_KV, ANALYZER_SETTINGS, SymptomHandler, type AnalyzerSettings } from './handlers/symptom.handler.js';

@Module({})
export class AnalyzerModule {
  static forRoot(settings: AnalyzerSettings, kv: KV): DynamicModule {
    return {
      module: AnalyzerModule,
      providers: [{ provide: ANALYZER_SETTINGS, useValue: settings }, { provide: ANALYZER_KV, useValue: kv }, SymptomHandler],
    };
  }
}
