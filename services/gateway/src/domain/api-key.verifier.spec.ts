import { describe, expect, it } from '@jest/globals';
import { ApiRole, apiKeySecretDigest, newApiKey, type ApiKeyRecordV1 } from '@mapek/contracts';
import { ApiKeyVerifier, AuthFailure, bearerTokenOf } from './api-key.verifier.js';

const NOW = Date.parse('2026-11-25T12:00:00Z');

function keyFor(name: string, role: ApiRole, extra: Partial<ApiKeyRecordV1> = {}) {
  const key = newApiKey();
  const record: ApiKeyRecordV1 = {
    id: key.id,
    name,
    role,
    secretSha256: apiKeySecretDigest(key.secret),
    createdAt: '2026-11-01T00:00:00.000Z',
    ...extra,
  };
  return { token: key.token, record };
}

describe('API key verification', () => {
  const alice = keyFor('alice', ApiRole.approver);
  const expired = keyFor('old', ApiRole.viewer, { expiresAt: '2026-11-20T00:00:00.000Z' });
  const revoked = keyFor('gone', ApiRole.admin, { revokedAt: '2026-11-24T00:00:00.000Z' });
  const verifier = new ApiKeyVerifier({ version: 1, keys: [alice.record, expired.record, revoked.record] });

  it('accepts a valid key as its principal', () => {
    expect(verifier.verify(alice.token, NOW)).toEqual({
      ok: true,
      principal: { keyId: alice.record.id, name: 'alice', role: ApiRole.approver },
    });
  });

  it('tells missing, malformed, unknown and wrong-secret credentials apart', () => {
    expect(verifier.verify(undefined, NOW)).toEqual({ ok: false, failure: AuthFailure.missing });
    expect(verifier.verify('Basic YWxpY2U6cHc=', NOW)).toEqual({ ok: false, failure: AuthFailure.malformed });
    expect(verifier.verify(newApiKey().token, NOW)).toMatchObject({ ok: false, failure: AuthFailure.unknownKey });
    const wrongSecret = `mapek_${alice.record.id}_${newApiKey().secret}`;
    expect(verifier.verify(wrongSecret, NOW)).toEqual({ ok: false, failure: AuthFailure.badSecret, keyId: alice.record.id });
  });

  it('refuses expired and revoked keys, but only from the instant they end', () => {
    expect(verifier.verify(expired.token, NOW)).toMatchObject({ ok: false, failure: AuthFailure.expired });
    expect(verifier.verify(expired.token, Date.parse('2026-11-19T00:00:00Z'))).toMatchObject({ ok: true });
    expect(verifier.verify(revoked.token, NOW)).toMatchObject({ ok: false, failure: AuthFailure.revoked });
  });

  it('reads the token from Authorization: Bearer, or from the WebSocket subprotocol a browser offers', () => {
    expect(bearerTokenOf({ authorization: `Bearer ${alice.token}` })).toBe(alice.token);
    expect(bearerTokenOf({ authorization: `bearer  ${alice.token} ` })).toBe(alice.token);
    expect(verifier.verify(bearerTokenOf({ authorization: `Token ${alice.token}` }), NOW)).toMatchObject({
      failure: AuthFailure.malformed,
    });
    expect(bearerTokenOf({ 'sec-websocket-protocol': `mapek.v1, mapek.bearer.${alice.token}` })).toBe(alice.token);
    expect(bearerTokenOf({})).toBeUndefined();
  });
});
