import type { ActionType, ActuationRequestV1 } from '@mapek/contracts';

/** The `params` of an actuation request: flat string / number / boolean values. */
export type ActionParams = ActuationRequestV1['params'];

/** Where a remedy runs from: the request that asked for it. */
export interface RemedyContext {
  readonly action: ActionType;
  readonly requestId: string;
  readonly planId: string;
  readonly step: number;
  /** True when the executor is undoing an earlier step of the plan. */
  readonly rollback: boolean;
}

/** What a remedy did, for the reply: prose for people, numbers for the verifier. */
export interface RemedyResult {
  readonly detail: string;
  /** Measured effects, e.g. `{ rssFreedBytes: 1.2e8 }`. Non-finite values are dropped. */
  readonly effects?: Readonly<Record<string, number>>;
}

/** Fixes one kind of problem in the running service. Throw (e.g. `RemedyFailedError`) to report failure. */
export type RemedyHandler = (params: ActionParams, context: RemedyContext) => RemedyResult | Promise<RemedyResult>;
