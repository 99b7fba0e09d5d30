import {
  ActuationErrorCode,
  type ActuationReplyV1,
  type ActuationRequestV1,
  actionTypeSchema,
  actuationRequestV1Schema,
  uuidSchema,
} from '@mapek/contracts';
import { nameActiveRemedySpan } from './agent.tracing.js';
import { RemedyOutcome } from './agent.metrics.js';
import type { RemedyResult } from './remedy.js';
import type { RemedyRegistry } from './remedy.registry.js';
import type { ReplyCache } from './reply-cache.js';

/** A request as it came off the wire, independent of the transport. */
export interface InboundMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  header(name: string): string | undefined;
}

/**
 * Seam for decryption: turns the wire payload into the JSON bytes of the request. Default: the
 * payload as is. Throw (e.g. `ActuationRejectedError`) to answer `invalid_request`.
 */
export type OpenRequest = (message: InboundMessage) => Uint8Array | Promise<Uint8Array>;

/**
 * Seam for signature checking, called with the validated request before anything runs. Throw
 * (e.g. `ActuationRejectedError`) to answer `invalid_request`.
 */
export type VerifyRequest = (request: ActuationRequestV1, message: InboundMessage) => void | Promise<void>;

export interface ActuationHandlerDependencies {
  readonly remedies: RemedyRegistry;
  readonly cache: ReplyCache;
  readonly countRemedy: (action: string, outcome: RemedyOutcome) => void;
  /** Told when a verified request's remedy starts (not for a replayed request). */
  readonly remedyStarted?: (action: string) => void;
  readonly openRequest?: OpenRequest;
  readonly verifyRequest?: VerifyRequest;
}

/** Used as requestId of an `invalid_request` reply when the request had no usable one. */
export const NIL_REQUEST_ID = '00000000-0000-0000-0000-000000000000';

const MAX_DETAIL = 2000;
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Decides the reply to one actuation request: open → parse → validate → verify → (cached reply
 * or run the remedy once). Never throws: every failure becomes a reply with an errorCode.
 */
export class ActuationHandler {
  constructor(private readonly deps: ActuationHandlerDependencies) {}

  async handle(message: InboundMessage): Promise<ActuationReplyV1> {
    let raw: unknown;
    try {
      const bytes = this.deps.openRequest ? await this.deps.openRequest(message) : message.data;
      raw = JSON.parse(decoder.decode(bytes));
    } catch (error) {
      return invalid(NIL_REQUEST_ID, `cannot read the request: ${describe(error)}`);
    }
    const requestId = echoRequestId(raw);
    const parsed = actuationRequestV1Schema.safeParse(raw);
    if (!parsed.success) {
      const action = unrecognisedAction(raw, parsed.error.issues);
      if (action !== undefined && requestId !== NIL_REQUEST_ID) {
        this.deps.countRemedy('unrecognised', RemedyOutcome.unknownAction);
        return { requestId, ok: false, errorCode: ActuationErrorCode.unknownAction, detail: clip(`no such action: ${action}`) };
      }
      const where = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
      return invalid(requestId, `request does not match actuation.request v1: ${where}`);
    }
    const request = parsed.data;
    try {
      await this.deps.verifyRequest?.(request, message);
    } catch (error) {
      return invalid(request.requestId, `request refused: ${describe(error)}`);
    }
    const cached = this.deps.cache.get(request.requestId);
    if (cached) {
      this.deps.countRemedy(request.action, RemedyOutcome.replayed);
      return cached;
    }
    const reply = this.run(request);
    this.deps.cache.set(request.requestId, reply);
    return reply;
  }

  private async run(request: ActuationRequestV1): Promise<ActuationReplyV1> {
    const { requestId, action } = request;
    nameActiveRemedySpan(action);
    const remedy = this.deps.remedies.get(action);
    if (!remedy) {
      this.deps.countRemedy(action, RemedyOutcome.unknownAction);
      return { requestId, ok: false, errorCode: ActuationErrorCode.unknownAction, detail: `this agent has no remedy for ${action}` };
    }
    this.deps.remedyStarted?.(action);
    let result: RemedyResult;
    try {
      result = await remedy(request.params, { action, requestId, planId: request.planId, step: request.step, rollback: request.rollback });
    } catch (error) {
      this.deps.countRemedy(action, RemedyOutcome.failed);
      return { requestId, ok: false, errorCode: ActuationErrorCode.remedyFailed, detail: clip(`${action} failed: ${describe(error)}`) };
    }
    this.deps.countRemedy(action, RemedyOutcome.ok);
    const effects = finiteEffects(result.effects);
    return effects ? { requestId, ok: true, detail: clip(result.detail), effects } : { requestId, ok: true, detail: clip(result.detail) };
  }
}

function invalid(requestId: string, detail: string): ActuationReplyV1 {
  return { requestId, ok: false, errorCode: ActuationErrorCode.invalidRequest, detail: clip(detail) };
}

function clip(detail: string): string {
  return detail.length <= MAX_DETAIL ? detail : `${detail.slice(0, MAX_DETAIL - 1)}…`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function field(raw: unknown, name: string): unknown {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>)[name] : undefined;
}

/** The request's own id when it is a valid one, so the caller can match even a rejected reply. */
function echoRequestId(raw: unknown): string {
  const id = field(raw, 'requestId');
  return uuidSchema.safeParse(id).success ? (id as string) : NIL_REQUEST_ID;
}

/** A well-formed request whose only fault is an action this version of the contracts does not know. */
function unrecognisedAction(raw: unknown, issues: readonly { path: readonly PropertyKey[] }[]): string | undefined {
  const action = field(raw, 'action');
  if (typeof action !== 'string' || actionTypeSchema.safeParse(action).success) return undefined;
  return issues.every((issue) => issue.path.length === 1 && issue.path[0] === 'action') ? action : undefined;
}

function finiteEffects(effects: Readonly<Record<string, number>> | undefined): Record<string, number> | undefined {
  if (!effects) return undefined;
  const kept = Object.entries(effects).filter(([, value]) => Number.isFinite(value));
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}
