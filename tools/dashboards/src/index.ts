export * from './dashboard.catalog.js';
export * from './deploy-paths.js';
export * from './generated-files.js';
export * from './grafana-schema.js';
export * from './panel-queries.js';
export * from './prometheus-config.js';
