import { Module, type DynamicModule } from '@nestjs/common';
import type { KvBucket } from '@mapek/messaging';
import { ThresholdStore } from './adapters/threshold.store.js';
import { DETECTION_SETTINGS, SampleHandler, THRESHOLDS, type DetectionSettings } from './handlers/sample.handler.js';
import { LoopFirst } from './handlers/loop-first.js';
import { ANALYZER_KV, ANALYZER_SETTINGS, ANALYZER_THRESHOLDS, SymptomHandler, type AnalyzerSettings } from './handlers/symptom.handler.js';

/** How long the scoring of a target or a slice of checkpoints waits for the loop's work at most (see LoopFirst). */
const BULK_WAIT_MS = 50;

@Module({})
export class AnalyzerModule {
  static forRoot(settings: AnalyzerSettings, detection: DetectionSettings, kv: KvBucket): DynamicModule {
    const thresholds = new ThresholdStore(kv);
    return {
      module: AnalyzerModule,
      providers: [
        { provide: ANALYZER_SETTINGS, useValue: settings },
        { provide: DETECTION_SETTINGS, useValue: detection },
        { provide: ANALYZER_KV, useValue: kv },
        { provide: ANALYZER_THRESHOLDS, useValue: thresholds },
        { provide: THRESHOLDS, useValue: thresholds },
        { provide: LoopFirst, useValue: new LoopFirst(BULK_WAIT_MS) },
        SymptomHandler,
        SampleHandler,
      ],
    };
  }
}
