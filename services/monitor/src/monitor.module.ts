import { Module, type DynamicModule } from '@nestjs/common';
import { MONITOR_SETTINGS, ScrapeScheduler, type MonitorSettings } from './handlers/scrape.scheduler.js';
import { CONFIGURATION_STATUS, StatusController, type ConfigurationStatusSource } from './handlers/status.controller.js';

@Module({})
export class MonitorModule {
  static forRoot(settings: MonitorSettings, configuration: ConfigurationStatusSource = () => undefined): DynamicModule {
    return {
      module: MonitorModule,
      controllers: [StatusController],
      providers: [
        { provide: MONITOR_SETTINGS, useValue: settings },
        { provide: CONFIGURATION_STATUS, useValue: configuration },
        ScrapeScheduler,
      ],
    };
  }
}
