import { beforeAll, describe, expect, it } from '@jest/globals';
import type { ServiceIdentity } from './identity-files.js';
import { createNodeCryptoBackend } from './node-crypto.backend.js';
import { createPayloadSealer } from './payload.sealer.js';
import { EventRejectedError, OpenFailedError } from './pqc.errors.js';
import type { PqcBackend } from './pqc-backend.types.js';
import { createRequestOpener, createRequestSealer, SealedRequestType } from './sealed-request.js';
import { buildFixture, type Fixture } from './testing.fixture.js';

const subject = 'mapek.actuate.demo-app';

function identityOf(fixture: Fixture, name: string): ServiceIdentity {
  const entry = fixture.identities[name];
  if (!entry) throw new Error(`no ${name}`);
  return {
    name,
    spiffeId: `spiffe://mapek.test/${name}`,
    tls: { cert: '', key: '', ca: '' },
    signingKey: () => ({ kid: entry.signing.kid, secretKey: entry.signing.secretKey }),
    kemSecretKey: (kid) => (kid === entry.kem.kid ? entry.kem.secretKey : undefined),
  };
}

describe('sealed requests (executor → agent)', () => {
  let backend: PqcBackend;
  let fixture: Fixture;
  let seal: ReturnType<typeof createRequestSealer>;
  let open: ReturnType<typeof createRequestOpener>;

  beforeAll(() => {
    backend = createNodeCryptoBackend();
    fixture = buildFixture(backend, ['executor', 'gateway', 'agent']);
    const sealer = createPayloadSealer(backend);
    seal = createRequestSealer({ backend, identity: identityOf(fixture, 'executor'), trust: fixture.trust, sealer });
    open = createRequestOpener({
      backend,
      identity: identityOf(fixture, 'agent'),
      trust: fixture.trust,
      sealer,
      policy: { actuation: ['executor'] },
    });
  });

  const headerOf = (headers: Record<string, string>) => (name: string) => headers[name];

  it('opens a request the executor signed and sealed to the agent, and hides the payload on the wire', () => {
    const request = seal({
      subject,
      recipient: 'agent',
      target: 'demo-app',
      type: SealedRequestType.actuation,
      payload: '{"action":"clear_cache"}',
    });
    expect(new TextDecoder().decode(request.body)).not.toContain('clear_cache');
    expect(new TextDecoder().decode(open(subject, request.body, headerOf(request.headers)))).toBe('{"action":"clear_cache"}');
  });

  it('refuses the same message a second time as a replay', () => {
    const request = seal({ subject, recipient: 'agent', target: 'demo-app', type: SealedRequestType.actuation, payload: '{}' });
    open(subject, request.body, headerOf(request.headers));
    expect(() => open(subject, request.body, headerOf(request.headers))).toThrow(expect.objectContaining({ reason: 'replay' }));
  });

  it('refuses a request from an identity that may not actuate', () => {
    const gateway = createRequestSealer({
      backend,
      identity: identityOf(fixture, 'gateway'),
      trust: fixture.trust,
      sealer: createPayloadSealer(backend),
    });
    const request = gateway({ subject, recipient: 'agent', target: 'demo-app', type: SealedRequestType.actuation, payload: '{}' });
    expect(() => open(subject, request.body, headerOf(request.headers))).toThrow(expect.objectContaining({ reason: 'not_authorized' }));
  });

  it('refuses a request moved to another subject, or without a signature', () => {
    const request = seal({ subject, recipient: 'agent', target: 'demo-app', type: SealedRequestType.actuation, payload: '{}' });
    expect(() => open('mapek.actuate.other', request.body, headerOf(request.headers))).toThrow(EventRejectedError);
    expect(() => open(subject, request.body, () => undefined)).toThrow(expect.objectContaining({ reason: 'bad_signature' }));
  });

  it('cannot be opened by an identity it was not sealed to', () => {
    const sealer = createPayloadSealer(backend);
    const toGateway = seal({ subject, recipient: 'gateway', target: 'demo-app', type: SealedRequestType.actuation, payload: '{}' });
    const agentOpen = createRequestOpener({
      backend,
      identity: identityOf(fixture, 'agent'),
      trust: fixture.trust,
      sealer,
      policy: { actuation: ['executor'] },
    });
    expect(() => agentOpen(subject, toGateway.body, headerOf(toGateway.headers))).toThrow(OpenFailedError);
  });
});
