import { CommandEncoding, ServiceName, type CommandPayload, type CommandSpecV1 } from '@mapek/contracts';
import type { PayloadSealer, SealBinding, TrustStore } from '@mapek/pqc';

/** The executor has no valid X-Wing key in the trust bundle: nothing can be sent to it safely. */
export class NoRecipientKeyError extends Error {
  override readonly name = 'NoRecipientKeyError';
  readonly code = 'no_recipient_key';
  readonly retryable = false;
}

export interface SealingKeys {
  readonly sealer: PayloadSealer;
  readonly trust: TrustStore;
}

/**
 * Puts a command spec on the wire: sealed to the executor's newest valid X-Wing key from the trust
 * bundle (bound to the command's subject and event id) when the gateway has an identity, in clear
 * only without one (development; an executor with an identity refuses it).
 */
export class CommandSealer {
  constructor(
    private readonly keys: SealingKeys | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  get seals(): boolean {
    return this.keys !== undefined;
  }

  payload(spec: CommandSpecV1, binding: SealBinding): CommandPayload {
    if (!this.keys) return { encoding: CommandEncoding.clear, spec };
    const recipient = this.keys.trust.recipientKey(ServiceName.executor, this.now());
    if (recipient === undefined) throw new NoRecipientKeyError('the trust bundle holds no valid X-Wing key of the executor');
    return { encoding: CommandEncoding.sealed, sealed: this.keys.sealer.seal(JSON.stringify(spec), recipient, binding) };
  }
}
