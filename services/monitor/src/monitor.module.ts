import { Module, type DynamicModule } from '@nestjs/common';
import { MONITOR_SETTINGS, ScrapeScheduler, type MonitorSettings } from './handlers/scrape.scheduler.js';

@Module({})
export class MonitorModule {
  static forRoot(settings: MonitorSettings): DynamicModule {
    return { module: MonitorModule, providers: [{ provide: MONITOR_SETTINGS, useValue: settings }, ScrapeScheduler] };
  }
}
