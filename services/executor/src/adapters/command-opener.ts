import { CommandRejectReason, CommandEncoding, commandSpecV1Schema, type CommandSpecV1, type Envelope } from '@mapek/contracts';
import type { EnvelopeVerifier } from '@mapek/messaging';
import type { PayloadSealer, ServiceIdentity } from '@mapek/pqc';
import { CommandRejectedError, assertSpecMatchesAudit } from '../domain/manual-command.js';

/** The executor's own keys: with them, commands must come sealed to this identity. */
export interface CommandKeys {
  readonly identity: ServiceIdentity;
  readonly sealer: PayloadSealer;
}

const decoder = new TextDecoder();

/**
 * Opens the spec of a manual command. With keys (security on) it accepts only a spec sealed to
 * one of this executor's X-Wing keys and bound to the command's subject and event id; without
 * keys (development, no identity) only a clear spec. Throws {@link CommandRejectedError}.
 */
export class CommandOpener {
  constructor(private readonly keys?: CommandKeys) {}

  open(subject: string, envelope: Envelope<'command'>): CommandSpecV1 {
    const { payload } = envelope.data;
    let spec: CommandSpecV1;
    if (payload.encoding === CommandEncoding.clear) {
      if (this.keys)
        throw new CommandRejectedError(CommandRejectReason.inClear, 'this executor has an identity and accepts commands only sealed to it');
      spec = payload.spec;
    } else {
      if (!this.keys)
        throw new CommandRejectedError(CommandRejectReason.notForExecutor, 'this executor has no identity to open sealed commands with');
      const secretKey = this.keys.identity.kemSecretKey(payload.sealed.kid);
      if (secretKey === undefined) {
        throw new CommandRejectedError(
          CommandRejectReason.notForExecutor,
          `sealed to ${payload.sealed.kid}, a key ${this.keys.identity.name} does not hold`,
        );
      }
      let opened: unknown;
      try {
        const bytes = this.keys.sealer.open(payload.sealed, secretKey, { subject, eventId: envelope.id });
        opened = JSON.parse(decoder.decode(bytes));
      } catch (error) {
        throw new CommandRejectedError(CommandRejectReason.openFailed, 'the sealed command does not open under its subject and event id', {
          cause: error,
        });
      }
      const parsed = commandSpecV1Schema.safeParse(opened);
      if (!parsed.success) throw new CommandRejectedError(CommandRejectReason.openFailed, 'the sealed command is not a command spec');
      spec = parsed.data;
    }
    assertSpecMatchesAudit(envelope.data, spec);
    return spec;
  }

  /**
   * The check of the `executor-commands` consumer: the usual signature checks (`base`), then the
   * seal. A refusal goes through the consumer's rejection path: counted in
   * `mapek_events_rejected_total{reason}` and dead-lettered with the reason, before any handler runs.
   */
  verifier(base?: EnvelopeVerifier): EnvelopeVerifier {
    return (input) => {
      if (base) {
        const verdict = base(input);
        if (!verdict.ok) return verdict;
      }
      if (input.envelope.type !== 'command') return { ok: true };
      try {
        this.open(input.subject, input.envelope as Envelope<'command'>);
        return { ok: true };
      } catch (error) {
        if (error instanceof CommandRejectedError) return { ok: false, reason: error.code, detail: error.message };
        throw error;
      }
    };
  }
}
