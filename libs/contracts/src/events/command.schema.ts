import { z } from 'zod';
import { actionParamsSchema, actionTypeSchema, uuidSchema } from './common.schema.js';

/** Who asked: letters, digits and `. _ @ : -` (the gateway's default is `operator`). */
export const commandActorSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\w.@:-]+$/, 'letters, digits and . _ @ : - only');

/**
 * What an operator asked the executor to do: the secret part of a manual command. With security
 * on it never travels in clear: it is sealed to the executor (see {@link commandV1Schema}).
 * The executor runs it as a one-step plan whose `planId` is the command id, so its `execution`
 * and `outcome` events carry `planId = commandId` (the execution id is derived from the command
 * event's id, so a redelivered command runs once).
 */
export const commandSpecV1Schema = z.strictObject({
  action: actionTypeSchema,
  params: actionParamsSchema,
  /** Why the operator acts; required, so the audit trail never holds an unexplained actuation. */
  reason: z.string().trim().min(1, 'reason is required').max(2000),
  actor: commandActorSchema,
  /** Nothing is actuated; the execution and outcome (`unknown`) are still published. */
  dryRun: z.boolean(),
});
export type CommandSpecV1 = z.infer<typeof commandSpecV1Schema>;

/**
 * A payload sealed to one identity's X-Wing key (libs/pqc `SealedPayload`: X-Wing → HKDF-SHA-256 →
 * AES-256-GCM, the associated data binds `{subject, eventId}` of the envelope that carries it).
 * Binary fields are base64url without padding.
 */
export const sealedPayloadSchema = z.strictObject({
  v: z.literal(1),
  alg: z.literal('X-Wing+HKDF-SHA-256+A256GCM'),
  kid: z.string().min(1).max(200),
  enc: z.string().regex(/^[A-Za-z0-9_-]+$/),
  nonce: z.string().regex(/^[A-Za-z0-9_-]+$/),
  ciphertext: z.string().regex(/^[A-Za-z0-9_-]*$/),
  tag: z.string().regex(/^[A-Za-z0-9_-]+$/),
});
export type SealedPayloadV1 = z.infer<typeof sealedPayloadSchema>;

export const CommandEncoding = { sealed: 'sealed', clear: 'clear' } as const;
export type CommandEncoding = (typeof CommandEncoding)[keyof typeof CommandEncoding];

/**
 * How the spec travels: `sealed` (security on: the canonical JSON of a {@link CommandSpecV1}
 * sealed to the executor's newest X-Wing key, bound to the command's subject and event id) or
 * `clear` (development without identities only; an executor that has an identity refuses it).
 */
export const commandPayloadSchema = z.discriminatedUnion('encoding', [
  z.strictObject({ encoding: z.literal(CommandEncoding.sealed), sealed: sealedPayloadSchema }),
  z.strictObject({ encoding: z.literal(CommandEncoding.clear), spec: commandSpecV1Schema }),
]);
export type CommandPayload = z.infer<typeof commandPayloadSchema>;

/**
 * An operator's manual command, `command` v1 on `<prefix>.commands.<target>` (MAPEK_EVENTS),
 * emitted by the gateway only and read by the executor's `executor-commands` durable.
 *
 * Only audit fields travel in clear: the command id, who asked, which action and whether it is a
 * dry run. Params and reason are in the sealed spec. The clear `actor`, `action` and `dryRun` are
 * covered by the gateway's envelope signature, and the executor refuses a command whose sealed
 * spec disagrees with them (`command_mismatch`).
 */
export const commandV1Schema = z.strictObject({
  commandId: uuidSchema,
  actor: commandActorSchema,
  action: actionTypeSchema,
  dryRun: z.boolean(),
  payload: commandPayloadSchema,
});
export type CommandV1 = z.infer<typeof commandV1Schema>;

/**
 * Why an executor refuses a command (the dead letter's `Mapek-Reject-Reason`, the `reason` label of
 * `mapek_events_rejected_total`).
 */
export const CommandRejectReason = {
  /** The executor has an identity, the spec came in clear. */
  inClear: 'command_in_clear',
  /** Sealed to a key the executor does not hold (another identity, or a retired key). */
  notForExecutor: 'command_not_for_executor',
  /** The sealed payload does not open (tampered, other subject or event id) or is not a spec. */
  openFailed: 'command_open_failed',
  /** The sealed spec disagrees with the clear audit fields. */
  mismatch: 'command_mismatch',
} as const;
export type CommandRejectReason = (typeof CommandRejectReason)[keyof typeof CommandRejectReason];
