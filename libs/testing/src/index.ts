export * from './container-images.js';
export * from './free-port.js';
export * from './nats-cluster.process.js';
export * from './nats-server.process.js';
export * from './network-namespace.js';
export * from './postgres-database.js';
export * from './postgres-server.process.js';
export * from './wait-for.js';
