import type { MapekConfiguration } from '@mapek/contracts';
import { defaultAlertSourceSettings, type AlertSourceSettings } from './alertmanager-webhook.js';

/**
 * The Alertmanager source as the configuration file sets it: with a file, an alert must name one of
 * its targets, and the receiver is off unless `sources.alertmanager` is there; without a file (the
 * demo, development) every valid target name is taken, in the `target` label.
 */
export function alertSourceSettings(config: MapekConfiguration | undefined): AlertSourceSettings {
  if (config === undefined) return defaultAlertSourceSettings;
  const source = config.sources.alertmanager;
  return {
    enabled: source?.enabled ?? false,
    targetLabel: source?.targetLabel ?? defaultAlertSourceSettings.targetLabel,
    targets: new Set(config.targets.map((target) => target.name)),
  };
}
