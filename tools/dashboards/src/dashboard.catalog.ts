import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { eventFlowDashboard } from './event-flow.dashboard.js';
import { loopOverviewDashboard } from './loop-overview.dashboard.js';
import { securityDashboard } from './security.dashboard.js';
import { serviceHealthDashboard } from './service-health.dashboard.js';

/** A dashboard and the file it is committed as under `deploy/grafana/dashboards/`. */
export interface DashboardSource {
  readonly file: string;
  build(): Dashboard;
}

/** Every mapek dashboard, in the order Grafana's folder lists them. */
export const mapekDashboards: readonly DashboardSource[] = [
  { file: 'mapek-loop-overview.json', build: loopOverviewDashboard },
  { file: 'mapek-event-flow.json', build: eventFlowDashboard },
  { file: 'mapek-service-health.json', build: serviceHealthDashboard },
  { file: 'mapek-security.json', build: securityDashboard },
];

/** The committed form: two-space JSON with a final newline, keys in the builders' order. */
export function renderJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
