import { z } from 'zod';
import { actionParamsSchema, actionTypeSchema, commandActorSchema, targetSchema, type CommandSpecV1 } from '@mapek/contracts';

/** Largest params object, as JSON: a command names a remedy and a few knobs, not a payload. */
export const MAX_COMMAND_PARAMS_BYTES = 4096;

const required = (what: string) => (issue: { input: unknown }) => (issue.input === undefined ? `required: ${what}` : undefined);

/** `POST /api/v1/commands` body. Unknown fields are refused, so a typo is not silently dropped. */
export const commandRequestSchema = z.strictObject({
  target: z.string({ error: required('the managed service to act on') }).pipe(targetSchema),
  action: actionTypeSchema,
  params: actionParamsSchema
    .refine(
      (params) => Buffer.byteLength(JSON.stringify(params)) <= MAX_COMMAND_PARAMS_BYTES,
      `at most ${MAX_COMMAND_PARAMS_BYTES} bytes of JSON`,
    )
    .default({})
    .describe(`at most ${MAX_COMMAND_PARAMS_BYTES} bytes of JSON`),
  reason: z
    .string({ error: required('say why, it goes to the audit trail') })
    .trim()
    .min(1, 'required: say why, it goes to the audit trail')
    .max(2000),
  /** Without API keys, who sends it; with keys the key's name (a different actor is refused). */
  actor: commandActorSchema
    .describe('without API keys only (default operator); with keys, the key name (another name is refused)')
    .optional(),
  dryRun: z.boolean().default(false),
});
export type CommandRequest = z.infer<typeof commandRequestSchema>;

/** The part of the request that is sealed to the executor. */
export function commandSpecOf(request: CommandRequest & { readonly actor: string }): CommandSpecV1 {
  return { action: request.action, params: request.params, reason: request.reason, actor: request.actor, dryRun: request.dryRun };
}
