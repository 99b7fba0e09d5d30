export { createAgent, type Agent, type AgentOptions } from './agent.js';
export * from './agent.errors.js';
export { AgentMetricName, RemedyOutcome } from './agent.metrics.js';
export { NIL_REQUEST_ID, type InboundMessage, type OpenRequest, type VerifyRequest } from './actuation.handler.js';
export { sealAsJson, type SealReply } from './actuation.responder.js';
export type { ActionParams, RemedyContext, RemedyHandler, RemedyResult } from './remedy.js';
export { canCollectGarbage, collectGarbage, collectGarbageRemedy, type GarbageCollectionReport } from './garbage-collection.js';
export { cpuPercent, CpuUsageSampler, type CpuReading } from './cpu-usage.sampler.js';
export { RequestWindow, type RequestWindowSnapshot, type RequestWindowOptions } from './request-window.js';
