import { describe, expect, it } from '@jest/globals';
import { ApiRole } from '@mapek/contracts';
import { Permission, actorOf, mayAccess, requiredAccess } from './access-policy.js';

describe('the gateway access policy', () => {
  it('leaves health, metrics, docs and CORS preflights open', () => {
    for (const path of [
      '/health',
      '/health/live',
      '/health/ready/',
      '/metrics',
      '/docs',
      '/docs/openapi.json?x=1',
      '/api/v1/console/config',
      '/?code=abc&state=xyz',
    ])
      expect(requiredAccess('GET', path)).toEqual({ public: true });
    expect(requiredAccess('OPTIONS', '/api/v1/commands')).toEqual({ public: true });
  });

  it('closes every other route, unknown ones included, behind at least read', () => {
    expect(requiredAccess('GET', '/api/v1/incidents?limit=5')).toEqual({ public: false, permission: Permission.read });
    expect(requiredAccess('GET', '/ws')).toEqual({ public: false, permission: Permission.read });
    expect(requiredAccess('GET', '/status')).toEqual({ public: false, permission: Permission.read });
    expect(requiredAccess('DELETE', '/api/v1/not-yet-written')).toEqual({ public: false, permission: Permission.read });
    expect(requiredAccess('POST', '/metrics')).toEqual({ public: false, permission: Permission.read });
  });

  it('needs command for manual commands and decide for approvals and rejections', () => {
    expect(requiredAccess('POST', '/api/v1/commands')).toEqual({ public: false, permission: Permission.command });
    expect(requiredAccess('POST', '/api/v1/plans/0193/approve')).toEqual({ public: false, permission: Permission.decide });
    expect(requiredAccess('POST', '/api/v1/plans/0193/reject?x')).toEqual({ public: false, permission: Permission.decide });
  });

  it('keeps operators and approvers apart; admins may do both; viewers only read', () => {
    const command = requiredAccess('POST', '/api/v1/commands');
    const decide = requiredAccess('POST', '/api/v1/plans/p/approve');
    const read = requiredAccess('GET', '/api/v1/plans');
    expect(
      [ApiRole.viewer, ApiRole.operator, ApiRole.approver, ApiRole.admin].map((role) => [
        mayAccess(role, read),
        mayAccess(role, command),
        mayAccess(role, decide),
      ]),
    ).toEqual([
      [true, false, false],
      [true, true, false],
      [true, false, true],
      [true, true, true],
    ]);
  });

  it('lets the alertmanager role post alerts and nothing else, not even read; admins may post them too', () => {
    const alert = requiredAccess('POST', '/api/v1/alertmanager');
    expect(alert).toEqual({ public: false, permission: Permission.alert });
    expect(mayAccess(ApiRole.alertmanager, alert)).toBe(true);
    expect(mayAccess(ApiRole.admin, alert)).toBe(true);
    for (const role of [ApiRole.viewer, ApiRole.operator, ApiRole.approver]) expect(mayAccess(role, alert)).toBe(false);
    for (const [method, path] of [
      ['GET', '/api/v1/plans'],
      ['GET', '/ws'],
      ['POST', '/api/v1/commands'],
      ['POST', '/api/v1/plans/p/approve'],
      ['POST', '/api/v1/flags'],
    ] as const) {
      expect(mayAccess(ApiRole.alertmanager, requiredAccess(method, path))).toBe(false);
    }
  });

  it('lets the heartbeat role post heartbeats and nothing else, not even read; admins may post them too', () => {
    const beat = requiredAccess('POST', '/api/v1/heartbeats/nightly-report');
    expect(beat).toEqual({ public: false, permission: Permission.heartbeat });
    expect([ApiRole.heartbeat, ApiRole.admin].map((role) => mayAccess(role, beat))).toEqual([true, true]);
    for (const role of [ApiRole.viewer, ApiRole.operator, ApiRole.approver, ApiRole.alertmanager])
      expect([role, mayAccess(role, beat)]).toEqual([role, false]);
    for (const [method, path] of [
      ['GET', '/api/v1/incidents'],
      ['POST', '/api/v1/alertmanager'],
      ['POST', '/api/v1/commands'],
      ['GET', '/api/v1/heartbeats/nightly-report'],
      ['POST', '/api/v1/heartbeats/a/b'],
    ] as const) {
      expect([method, path, mayAccess(ApiRole.heartbeat, requiredAccess(method, path))]).toEqual([method, path, false]);
    }
  });

  it('records the key name as the actor and refuses a body that claims someone else', () => {
    expect(actorOf({ name: 'alice' }, undefined)).toEqual({ ok: true, actor: 'alice' });
    expect(actorOf({ name: 'alice' }, 'alice')).toEqual({ ok: true, actor: 'alice' });
    expect(actorOf({ name: 'alice' }, 'bob')).toMatchObject({ ok: false, reason: expect.stringMatching(/acts as alice, not bob/) });
    expect(actorOf(undefined, undefined)).toEqual({ ok: true, actor: 'operator' });
    expect(actorOf(undefined, 'bob')).toEqual({ ok: true, actor: 'bob' });
  });
});
