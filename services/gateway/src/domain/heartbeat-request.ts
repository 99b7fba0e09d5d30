import { z } from 'zod';
import { targetSchema } from '@mapek/contracts';

/** `POST /api/v1/heartbeats/<target>`: the body is optional; an empty one says only "alive". */
export const heartbeatRequestSchema = z.strictObject({
  /** How long the reporter has been running, when it knows. */
  uptimeSeconds: z.number().nonnegative().optional(),
});
export type HeartbeatRequest = z.infer<typeof heartbeatRequestSchema>;

/**
 * Whether a heartbeat may be taken for `target`: a valid target name, and with a configuration
 * file one of its targets (a heartbeat for a target nobody watches is a mistake worth a 404).
 */
export function heartbeatTarget(
  target: string,
  configured: ReadonlySet<string> | undefined,
): { ok: true; target: string } | { ok: false; status: 400 | 404; reason: string } {
  const parsed = targetSchema.safeParse(target);
  if (!parsed.success) return { ok: false, status: 400, reason: `target: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
  if (configured !== undefined && !configured.has(parsed.data))
    return { ok: false, status: 404, reason: `${parsed.data} is not a target of the configuration file` };
  return { ok: true, target: parsed.data };
}
