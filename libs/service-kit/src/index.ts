export * from './start-service.js';
export * from './service-security.js';
// Backoff lives in messaging (its consumer retries with it); services and tools take it from here too.
export { backoffDelay, defaultBackoff, sleep, type BackoffPolicy } from '@mapek/messaging';
export * from './configuration-file.follower.js';
