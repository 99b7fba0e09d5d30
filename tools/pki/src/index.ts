export { createApiKey, type CreateApiKeyOptions, type CreatedApiKey, isApiRole, listApiKeys, revokeApiKey } from './api-keys.js';
export {
  defaultPkiOptions,
  initPki,
  migrateKeyFiles,
  type NatsClusterMemberOptions,
  type PkiOptions,
  type PkiReport,
  renderNatsClusterMemberConfig,
  rotateIdentity,
  writeNatsConfig,
  writeTrustBundle,
} from './pki.commands.js';
export { inboxOptionsOf, natsPermissions, type SubjectPermissions } from './nats-permissions.js';
export { renderNatsConfig, type NatsClusterOptions, type NatsConfigOptions } from './nats-config.renderer.js';
export { PkiError, PkiErrorCode } from './pki.errors.js';
export { ALL_IDENTITIES, IdentityName, isIdentityName, spiffeId } from './service-identities.js';
