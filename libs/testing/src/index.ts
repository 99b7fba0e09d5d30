export * from './free-port.js';
export * from './nats-server.process.js';
export * from './postgres-database.js';
export * from './postgres-server.process.js';
export * from './wait-for.js';
