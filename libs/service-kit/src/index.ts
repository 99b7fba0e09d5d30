export * from './start-service.js';
export * from './service-security.js';
export * from './backoff.js';
export * from './configuration-file.follower.js';
