import { z } from 'zod';
import { isoTimeSchema } from './common.schema.js';

/** Who carried a target's heartbeat: its embedded agent, or a caller of the gateway's endpoint. */
export const HeartbeatVia = { agent: 'agent', gateway: 'gateway' } as const;
export type HeartbeatVia = (typeof HeartbeatVia)[keyof typeof HeartbeatVia];

/**
 * A target says it is alive (the envelope's `target`). The monitor raises an `unavailable`
 * symptom for a target whose `heartbeat.timeoutMs` (configuration file) passes without one.
 * Telemetry: stored briefly on the telemetry stream, never in knowledge.
 */
export const heartbeatV1Schema = z.object({
  via: z.enum([HeartbeatVia.agent, HeartbeatVia.gateway]),
  /** The agent's instance, or the name of the gateway API key that sent it. */
  reporter: z.string().min(1).max(200),
  /** When the reporter sent it (the monitor judges silence by when the stream stored it). */
  sentAt: isoTimeSchema,
  /** How long the reporter has been running, when it knows. */
  uptimeSeconds: z.number().nonnegative().optional(),
});
export type HeartbeatV1 = z.infer<typeof heartbeatV1Schema>;
