import { join, resolve } from 'node:path';

/** The repository root, from this file in `tools/dashboards/src` or `tools/dashboards/dist`. */
export const repositoryRoot: string = resolve(import.meta.dirname, '../../..');

/** Where the generated and hand-written deployment files live, relative to the repository root. */
export const DeployPath = {
  dashboards: 'deploy/grafana/dashboards',
  datasourceProvisioning: 'deploy/grafana/provisioning/datasources/mapek-prometheus.yaml',
  dashboardProvisioning: 'deploy/grafana/provisioning/dashboards/mapek.yaml',
  prometheusConfig: 'deploy/prometheus/prometheus.yml',
  rules: 'deploy/prometheus/rules',
} as const;

export const deployPath = (path: string, root: string = repositoryRoot): string => join(root, path);
