import { beforeAll, describe, expect, it } from '@jest/globals';
import { CommandRejectReason, newEventId, subjects, type CommandSpecV1, type Envelope, type CommandV1 } from '@mapek/contracts';
import { createPayloadSealer, type PayloadSealer } from '@mapek/pqc';
import { createTestIdentities, type TestIdentities } from '../testing/pqc-identities.fixture.js';
import { CommandOpener } from './command-opener.js';

const target = 'demo-app';
const subject = subjects.commands(target);
const spec: CommandSpecV1 = { action: 'clear_cache', params: { ttl_s: 30 }, reason: 'leak suspected', actor: 'alice', dryRun: false };

function envelope(
  id: string,
  payload: CommandV1['payload'],
  audit: Partial<Pick<CommandV1, 'actor' | 'action' | 'dryRun'>> = {},
): Envelope<'command'> {
  return {
    id,
    type: 'command',
    version: 1,
    source: 'gateway',
    time: new Date().toISOString(),
    target,
    data: { commandId: newEventId(), actor: spec.actor, action: spec.action, dryRun: spec.dryRun, ...audit, payload },
  };
}

describe('opening manual commands', () => {
  let keys: TestIdentities;
  let sealer: PayloadSealer;
  let opener: CommandOpener;
  const sealTo = (name: string, eventId: string, onSubject = subject, body: unknown = spec) => {
    const recipient = keys.trust.recipientKey(name, Date.now());
    if (!recipient) throw new Error(`no key for ${name}`);
    return { encoding: 'sealed' as const, sealed: sealer.seal(JSON.stringify(body), recipient, { subject: onSubject, eventId }) };
  };
  const reasonOf = (run: () => unknown): string | undefined => {
    try {
      run();
      return undefined;
    } catch (error) {
      return (error as { code?: string }).code;
    }
  };

  beforeAll(async () => {
    keys = await createTestIdentities(['executor', 'agent', 'gateway']);
    sealer = createPayloadSealer(keys.backend);
    const executor = keys.identities['executor'];
    if (!executor) throw new Error('no executor identity');
    opener = new CommandOpener({ identity: executor, sealer });
  });

  it('opens a spec sealed to the executor and bound to the subject and event id', () => {
    const id = newEventId();
    expect(opener.open(subject, envelope(id, sealTo('executor', id)))).toEqual(spec);
  });

  it('refuses a clear spec when it has an identity', () => {
    expect(reasonOf(() => opener.open(subject, envelope(newEventId(), { encoding: 'clear', spec })))).toBe(CommandRejectReason.inClear);
  });

  it('refuses a spec sealed to another identity', () => {
    const id = newEventId();
    expect(reasonOf(() => opener.open(subject, envelope(id, sealTo('agent', id))))).toBe(CommandRejectReason.notForExecutor);
  });

  it('refuses a sealed spec moved to another event id or subject', () => {
    const id = newEventId();
    expect(reasonOf(() => opener.open(subject, envelope(newEventId(), sealTo('executor', id))))).toBe(CommandRejectReason.openFailed);
    expect(reasonOf(() => opener.open(subjects.commands('other'), envelope(id, sealTo('executor', id))))).toBe(
      CommandRejectReason.openFailed,
    );
  });

  it('refuses a sealed body that is not a spec, and one that disagrees with the audit fields', () => {
    const id = newEventId();
    expect(reasonOf(() => opener.open(subject, envelope(id, sealTo('executor', id, subject, { action: 'clear_cache' }))))).toBe(
      CommandRejectReason.openFailed,
    );
    const other = newEventId();
    expect(reasonOf(() => opener.open(subject, envelope(other, sealTo('executor', other), { action: 'restart_service' })))).toBe(
      CommandRejectReason.mismatch,
    );
  });

  it('without an identity, runs clear specs and refuses sealed ones', () => {
    const plain = new CommandOpener();
    expect(plain.open(subject, envelope(newEventId(), { encoding: 'clear', spec }))).toEqual(spec);
    const id = newEventId();
    expect(reasonOf(() => plain.open(subject, envelope(id, sealTo('executor', id))))).toBe(CommandRejectReason.notForExecutor);
  });
});
