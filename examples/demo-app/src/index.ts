export { bootstrap, type RunningDemo } from './bootstrap.js';
export { parseDemoConfig, type DemoConfig, DEMO_ENVIRONMENT } from './demo.config.js';
export * from './demo.errors.js';
