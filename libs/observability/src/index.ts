export * from './log-context.js';
export * from './logger.js';
export * from './metrics.js';
export * from './health.js';
export * from './observability.module.js';
export * from './configuration.metrics.js';
export * from './tracing.js';
export * from './tracing.testing.js';
