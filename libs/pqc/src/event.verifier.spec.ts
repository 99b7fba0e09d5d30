import { beforeAll, describe, expect, it } from '@jest/globals';
import { Algorithm } from './algorithms.constants.js';
import { toBase64Url } from './bytes.codec.js';
import { createEventVerifier, type EventVerifier } from './event.verifier.js';
import type { EventPolicy } from './event-policy.js';
import { createNodeCryptoBackend } from './node-crypto.backend.js';
import { EventRejectedError } from './pqc.errors.js';
import type { PqcBackend } from './pqc-backend.types.js';
import { createEventSigner, type EventEnvelope, type SignedEvent } from './signed-event.js';
import { buildFixture, type Fixture } from './testing.fixture.js';
import { openTrustBundle, signTrustBundle } from './trust-bundle.js';

const policy: EventPolicy = {
  'plan.*': ['planner'],
  analysis: ['analyzer'],
  decision: ['gateway'],
  'command.*': ['gateway'],
  execution: ['executor'],
  actuation: ['executor'],
};
const subject = 'mapek.plans.approved.checkout';
const now = Date.parse('2026-11-25T10:00:00.000Z');
let counter = 0;

function envelope(overrides: Partial<EventEnvelope> = {}): EventEnvelope {
  counter += 1;
  return {
    id: `0193-${counter}`,
    type: 'plan.approved',
    version: 1,
    source: 'planner',
    time: new Date(now).toISOString(),
    target: 'checkout',
    incidentId: 'inc-1',
    data: { planId: 'p-1', actions: [{ kind: 'restart', replicas: 2 }] },
    ...overrides,
  };
}

describe('event verifier', () => {
  let backend: PqcBackend;
  let fixture: Fixture;
  let verifier: EventVerifier;
  const signAs = (name: string, event: EventEnvelope, on = subject): SignedEvent => {
    const identity = fixture.identities[name];
    if (!identity) throw new Error(`no fixture identity ${name}`);
    return createEventSigner({ backend, key: { kid: identity.signing.kid, secretKey: identity.signing.secretKey } }).sign(on, event);
  };

  beforeAll(() => {
    backend = createNodeCryptoBackend();
    fixture = buildFixture(backend, ['planner', 'analyzer', 'executor', 'gateway'], now);
    verifier = createEventVerifier({ backend, trust: fixture.trust, policy, now: () => now });
  });

  it('accepts a fresh event signed by a source allowed to emit its type', () => {
    const result = verifier.verify(subject, signAs('planner', envelope()));
    expect(result).toMatchObject({ ok: true, identity: { name: 'planner', spiffeId: 'spiffe://mapek.test/planner' } });
  });

  it('accepts the source given as its SPIFFE id', () => {
    expect(verifier.verify(subject, signAs('planner', envelope({ source: 'spiffe://mapek.test/planner' }))).ok).toBe(true);
  });

  it('rejects a changed field as bad_signature', () => {
    const signed = signAs('planner', envelope());
    const forged = { ...signed, envelope: { ...signed.envelope, target: 'payments' } };
    expect(verifier.verify(subject, forged)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('rejects a valid event replayed on another subject as bad_signature', () => {
    expect(verifier.verify('mapek.plans.approved.payments', signAs('planner', envelope()))).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('rejects a flipped signature byte as bad_signature', () => {
    const signed = signAs('planner', envelope());
    const sig = Buffer.from(signed.signature.sig, 'base64url');
    sig[10] = (sig[10] ?? 0) ^ 1;
    expect(verifier.verify(subject, { ...signed, signature: { ...signed.signature, sig: sig.toString('base64url') } })).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('rejects an unsigned or malformed event as bad_signature', () => {
    const signed = signAs('planner', envelope());
    expect(verifier.verify(subject, { envelope: signed.envelope } as unknown as SignedEvent)).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
    const noId = signAs('planner', { ...envelope(), id: undefined } as unknown as EventEnvelope);
    expect(verifier.verify(subject, noId)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('rejects a key missing from the trust bundle as unknown_key', () => {
    const stranger = backend.mlDsa65.generateKeyPair();
    const signed = createEventSigner({ backend, key: { kid: 'mldsa65:stranger', secretKey: stranger.secretKey } }).sign(
      subject,
      envelope(),
    );
    expect(verifier.verify(subject, signed)).toMatchObject({ ok: false, reason: 'unknown_key' });
  });

  it("rejects another identity's key claiming to be the planner as unknown_key", () => {
    expect(verifier.verify(subject, signAs('analyzer', envelope({ source: 'planner' })))).toMatchObject({
      ok: false,
      reason: 'unknown_key',
    });
  });

  it('rejects an event from an unknown source as unknown_key', () => {
    expect(verifier.verify(subject, signAs('planner', envelope({ source: 'intruder' })))).toMatchObject({
      ok: false,
      reason: 'unknown_key',
    });
  });

  it('rejects a key outside its validity window as unknown_key', () => {
    const late = createEventVerifier({ backend, trust: fixture.trust, policy, now: () => now + 25 * 3_600_000 });
    expect(late.verify(subject, signAs('planner', envelope({ time: new Date(now + 25 * 3_600_000).toISOString() })))).toMatchObject({
      ok: false,
      reason: 'unknown_key',
    });
  });

  it('rejects an analyzer approving a plan as not_authorized', () => {
    expect(verifier.verify(subject, signAs('analyzer', envelope({ source: 'analyzer' })))).toMatchObject({
      ok: false,
      reason: 'not_authorized',
    });
  });

  it('rejects a planner actuating and a planner sending decisions as not_authorized', () => {
    expect(verifier.verify(subject, signAs('planner', envelope({ type: 'actuation' })))).toMatchObject({
      ok: false,
      reason: 'not_authorized',
    });
    expect(verifier.verify(subject, signAs('planner', envelope({ type: 'decision' })))).toMatchObject({
      ok: false,
      reason: 'not_authorized',
    });
  });

  it('rejects a type missing from the policy as not_authorized (default deny)', () => {
    expect(verifier.verify(subject, signAs('planner', envelope({ type: 'unlisted' })))).toMatchObject({
      ok: false,
      reason: 'not_authorized',
    });
  });

  it('rejects events older or newer than the 30 s skew window as stale', () => {
    expect(verifier.verify(subject, signAs('planner', envelope({ time: new Date(now - 30_001).toISOString() })))).toMatchObject({
      ok: false,
      reason: 'stale',
    });
    expect(verifier.verify(subject, signAs('planner', envelope({ time: new Date(now + 30_001).toISOString() })))).toMatchObject({
      ok: false,
      reason: 'stale',
    });
    expect(verifier.verify(subject, signAs('planner', envelope({ time: 'yesterday' })))).toMatchObject({ ok: false, reason: 'stale' });
    expect(verifier.verify(subject, signAs('planner', envelope({ time: new Date(now - 29_000).toISOString() }))).ok).toBe(true);
  });

  it('rejects the second delivery of the same event id as replay', () => {
    const signed = signAs('planner', envelope());
    expect(verifier.verify(subject, signed).ok).toBe(true);
    expect(verifier.verify(subject, signed)).toMatchObject({ ok: false, reason: 'replay' });
  });

  it('accepts a redelivery of the same stream message but rejects the id at another sequence as replay', () => {
    const signed = signAs('planner', envelope());
    expect(verifier.verify(subject, signed, { tag: 'MAPEK_EVENTS:7' }).ok).toBe(true);
    expect(verifier.verify(subject, signed, { tag: 'MAPEK_EVENTS:7' }).ok).toBe(true);
    expect(verifier.verify(subject, signed, { tag: 'MAPEK_EVENTS:8' })).toMatchObject({ ok: false, reason: 'replay' });
    expect(verifier.verify(subject, signed)).toMatchObject({ ok: false, reason: 'replay' });
  });

  it('judges freshness against the given instant (when the stream stored it), not its own clock', () => {
    const old = new Date(now - 10 * 60_000).toISOString();
    const signed = signAs('planner', envelope({ time: old }));
    expect(verifier.verify(subject, signed)).toMatchObject({ ok: false, reason: 'stale' });
    expect(verifier.verify(subject, signed, { at: Date.parse(old) + 50, tag: 'MAPEK_EVENTS:9' }).ok).toBe(true);
  });

  it('does not let a forged event burn the id of a genuine one', () => {
    const genuine = signAs('planner', envelope());
    const forged = { ...genuine, envelope: { ...genuine.envelope, data: { planId: 'evil' } } };
    expect(verifier.verify(subject, forged)).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(verifier.verify(subject, genuine).ok).toBe(true);
  });

  it('accepts events signed with the old key during a rotation overlap', () => {
    const next = backend.mlDsa65.generateKeyPair();
    const planner = fixture.bundle.identities.find((i) => i.name === 'planner');
    if (!planner) throw new Error('planner missing');
    const iso = (ms: number) => new Date(ms).toISOString();
    const rotated = {
      ...fixture.bundle,
      identities: fixture.bundle.identities.map((i) =>
        i.name !== 'planner'
          ? i
          : {
              ...i,
              keys: [
                ...i.keys,
                {
                  kid: 'mldsa65:next',
                  use: 'sig' as const,
                  alg: Algorithm.mlDsa65,
                  publicKey: toBase64Url(next.publicKey),
                  notBefore: iso(now),
                  notAfter: iso(now + 3_600_000),
                },
              ],
            },
      ),
    };
    const trust = openTrustBundle(
      backend,
      signTrustBundle(backend, rotated, { kid: fixture.ca.kid, secretKey: fixture.ca.secretKey }),
      { kid: fixture.ca.kid, publicKey: fixture.ca.publicKey },
      now,
    );
    const rotating = createEventVerifier({ backend, trust, policy, now: () => now });
    expect(rotating.verify(subject, signAs('planner', envelope())).ok).toBe(true);
    const withNext = createEventSigner({ backend, key: { kid: 'mldsa65:next', secretKey: next.secretKey } }).sign(subject, envelope());
    expect(rotating.verify(subject, withNext).ok).toBe(true);
  });

  it('throws EventRejectedError carrying the reason from verifyOrThrow', () => {
    const signed = signAs('analyzer', envelope({ source: 'analyzer' }));
    expect(() => verifier.verifyOrThrow(subject, signed)).toThrow(EventRejectedError);
    try {
      verifier.verifyOrThrow(subject, signAs('analyzer', envelope({ source: 'analyzer' })));
    } catch (error) {
      expect(error).toMatchObject({ reason: 'not_authorized', code: 'not_authorized', retryable: false, name: 'EventRejectedError' });
    }
  });

  it('signs and verifies a ~1 KB telemetry batch as one envelope', () => {
    const samples = Array.from({ length: 12 }, (_, i) => ({ metric: 'latency_ms', value: 100 + i, at: now - i * 1000 }));
    const batch = envelope({ type: 'analysis', source: 'analyzer', data: { samples } });
    expect(JSON.stringify(batch).length).toBeGreaterThan(700);
    expect(verifier.verify(subject, signAs('analyzer', batch)).ok).toBe(true);
  });
});
