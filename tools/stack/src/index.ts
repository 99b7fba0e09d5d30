export { startStack, repositoryRoot, type Stack, type StackProcess } from './stack.js';
export { STACK_DEFAULTS, StackSecurity, type StackOptions } from './stack.options.js';
export {
  caFileOf,
  certsDirOf,
  clusterMemberNatsConfig,
  ensureStackCredentials,
  identityConnectOptions,
  natsClientTls,
  natsServerList,
  type ClusterMemberAddress,
  type StackCredentials,
} from './stack-credentials.js';
export {
  BUSY_LOOP_NODE_ARGS,
  DEFAULT_LOOP_NODE_ARGS,
  DEFAULT_SERVICES,
  LOOP_ALLOCATOR_ENV,
  LOOP_NODE_ARGS_BY_SERVICE,
  loopNodeArgs,
  bulkNiceness,
  INFRASTRUCTURE_PORTS,
  InfrastructureName,
  READINESS_PATH,
  ServiceName,
  ServiceRole,
  serviceOf,
  serviceReplica,
  type LoopServiceName,
  type ServiceDefinition,
} from './service-catalog.js';
export { monitorTargets, serviceEnvironment, type EnvironmentContext, type MonitorTarget } from './service-environment.js';
export { formatStackSummary, memoryLeakCurl } from './stack-summary.js';
export {
  assertSupportedNatsServerBinary,
  createNatsServer,
  findNatsServer,
  jetStreamAnswers,
  natsServerVersion,
  type NatsClientTls,
  type NatsServer,
} from './nats-server.js';
export { provisionNats, type ProvisionOptions } from './nats-provisioner.js';
export { isNatsSyncInterval, renderStackNatsConfig, type NatsSyncInterval } from './nats-server-config.js';
export { answersQuery } from './embedded-postgres.js';
export { createJaeger, findJaeger, renderJaegerConfig, type JaegerComponent } from './jaeger.js';
export { PGLITE_MAX_CONNECTIONS } from './pglite-ipc.js';
export { isPortFree } from './port-allocator.js';
export { lowerPriority } from './process-priority.js';
export type { ProcessExit } from './managed-process.js';
export {
  JaegerNotFoundError,
  NatsServerNotFoundError,
  NatsServerTooOldError,
  ProcessNotReadyError,
  ServiceNotBuiltError,
  StackComponentMissingError,
  StackErrorCode,
  StackStateError,
  StackUsageError,
  UnknownProcessError,
} from './stack.errors.js';
