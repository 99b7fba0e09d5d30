import { z } from 'zod';
import { actionParamsSchema, actionTypeSchema, uuidSchema } from './common.schema.js';

/** Executor → agent, core NATS request on `<prefix>.actuate.<target>`. */
export const actuationRequestV1Schema = z.object({
  requestId: uuidSchema,
  planId: uuidSchema,
  step: z.number().int().nonnegative(),
  action: actionTypeSchema,
  params: actionParamsSchema,
  rollback: z.boolean(),
});
export type ActuationRequestV1 = z.infer<typeof actuationRequestV1Schema>;

export const ActuationErrorCode = {
  unknownAction: 'unknown_action',
  remedyFailed: 'remedy_failed',
  invalidRequest: 'invalid_request',
} as const;
export type ActuationErrorCode = (typeof ActuationErrorCode)[keyof typeof ActuationErrorCode];

/** Agent → executor reply. Errors travel as codes, never as prose to parse. */
export const actuationReplyV1Schema = z.object({
  requestId: uuidSchema,
  ok: z.boolean(),
  errorCode: z.enum([ActuationErrorCode.unknownAction, ActuationErrorCode.remedyFailed, ActuationErrorCode.invalidRequest]).optional(),
  detail: z.string().max(2000),
  effects: z.record(z.string(), z.number()).optional(),
});
export type ActuationReplyV1 = z.infer<typeof actuationReplyV1Schema>;
