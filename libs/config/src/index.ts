export * from './config.error.js';
export * from './config.loader.js';
export * from './env.schemas.js';
export * from './common.config.js';
export * from './file-poller.js';
export * from './configuration-file.js';
export * from './redact-url.js';
export * from './file-exists.js';
